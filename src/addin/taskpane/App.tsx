// Runtime: browser (task pane). The "Vérification MSSanté" pane: header, the verdict (announced to screen readers)
// and the recipients. Everything it knows of Outlook comes through the MailboxPort.
import {
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  Title3,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { MailboxPort } from '../office/mailbox-port';
import type { CheckProblem } from './check-message';
import type { ConnectorClient } from './connector-client';
import type { Messages } from './i18n';
import type { CoreLabels } from './labels';
import { RecipientList } from './RecipientList';
import { useRecipientCheck } from './use-recipient-check';
import { VerdictBar } from './VerdictBar';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    minHeight: '100vh',
    boxSizing: 'border-box',
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
  },
  header: { display: 'flex', alignItems: 'flex-start', justifyContent: 'space-between', gap: tokens.spacingHorizontalS },
  titles: { display: 'flex', flexDirection: 'column' },
  subtitle: { color: tokens.colorNeutralForeground2 },
  status: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  muted: { color: tokens.colorNeutralForeground2 },
});

export interface AppProps {
  readonly port: MailboxPort;
  readonly client: ConnectorClient;
  readonly t: Messages;
  readonly labels: CoreLabels;
}

function problemText(problem: CheckProblem, t: Messages): string {
  switch (problem.kind) {
    case 'mailbox':
      return t.mailboxError;
    case 'connector':
      return problem.code === 'CONNECTOR_REJECTED' ? t.connectorError(problem.serverCode ?? '?') : t.connectorDown;
  }
}

export function App({ port, client, t, labels }: AppProps) {
  const styles = useStyles();
  const { checking, result, refresh } = useRecipientCheck(port, client);
  const readMode = port.mode === 'read';

  return (
    <div className={styles.root}>
      <header className={styles.header}>
        <div className={styles.titles}>
          <Title3 as="h1" id="app-title">
            {t.appTitle}
          </Title3>
          <Caption1 className={styles.subtitle}>{t.appSubtitle}</Caption1>
        </div>
        <Button appearance="secondary" onClick={refresh} aria-label={t.refreshAria} data-testid="refresh">
          {t.refresh}
        </Button>
      </header>
      <main aria-labelledby="app-title" aria-busy={checking}>
        {/* The live region exists from the start, so changes of the verdict are announced (WAI-ARIA 1.2 live regions). */}
        <div className={styles.status} role="status" aria-live="polite" aria-atomic="true" data-testid="status">
          {!result && <Spinner size="tiny" label={t.loading} labelPosition="after" />}
          {result?.problem && (
            <MessageBar intent="error" layout="multiline" data-testid="problem" data-problem={result.problem.kind}>
              <MessageBarBody>
                <MessageBarTitle>{t.appTitle}</MessageBarTitle>
                {problemText(result.problem, t)}
              </MessageBarBody>
            </MessageBar>
          )}
          {result?.verdict && <VerdictBar verdict={result.verdict} t={t} labels={labels} />}
          {result && !result.problem && result.rows.length === 0 && (
            <Text className={styles.muted} data-testid="no-recipients">
              {t.noRecipients}
            </Text>
          )}
        </div>
        {readMode && <Caption1 className={styles.muted}>{t.readMode}</Caption1>}
        {result && result.rows.length > 0 && <RecipientList rows={result.rows} t={t} labels={labels} readMode={readMode} />}
      </main>
    </div>
  );
}

/** Shown when the page is opened outside Outlook (plain browser, Word, Excel...). */
export function NotOutlook({ t }: { t: Messages }) {
  const styles = useStyles();
  return (
    <div className={styles.root}>
      <main aria-labelledby="app-title">
        <Title3 as="h1" id="app-title">
          {t.appTitle}
        </Title3>
        <MessageBar intent="info" layout="multiline" data-testid="not-outlook">
          <MessageBarBody>
            <MessageBarTitle>{t.notOutlookTitle}</MessageBarTitle>
            {t.notOutlookBody}
          </MessageBarBody>
        </MessageBar>
      </main>
    </div>
  );
}
