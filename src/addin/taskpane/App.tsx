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
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RecipientField } from '../../core';
import type { MailboxPort, RecipientInput } from '../office/mailbox-port';
import type { CheckProblem } from './check-message';
import type { ConnectorClient, DirectoryClient } from './connector-client';
import { DirectorySearch } from './DirectorySearch';
import { addRecipient, moveNonMssante, recipientsLine, recipientsToMove, removeRecipient, replaceRecipient, SECURE_KINDS } from './fixes';
import type { Messages } from './i18n';
import type { CoreLabels } from './labels';
import { RecipientFixes } from './RecipientFixes';
import { RecipientList } from './RecipientList';
import { rewriteGatewayReply, type RewriteChange } from './reply-rewrite';
import type { SendClient } from './send-client';
import { SendPanel } from './SendPanel';
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
  changes: { margin: `${tokens.spacingVerticalXS} 0 0 0`, paddingLeft: tokens.spacingHorizontalL },
  moveRow: { marginTop: tokens.spacingVerticalM },
  copyLine: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere', userSelect: 'all' },
});

/** performance.mark set once the first check's outcome is rendered (the recipient list, or "no recipient"). */
export const FIRST_CHECK_MARK = 'mss:first-check-rendered';

/** sessionData key: this reply was already rewritten (per item; survives a reload of the pane). */
export const REWRITTEN_KEY = 'mss-reply-rewritten';

type RewriteState = { readonly kind: 'done'; readonly changes: readonly RewriteChange[] } | { readonly kind: 'failed' };

function changeText(c: RewriteChange, t: Messages): string {
  switch (c.kind) {
    case 'recipient-replaced':
      return t.rewriteRecipient(c.from, c.to);
    case 'recipient-undecoded':
      return t.rewriteUndecoded(c.address);
    case 'body-replaced':
      return t.rewriteBodyReplaced(c.to, c.count);
    case 'body-removed':
      return t.rewriteBodyRemoved(c.count);
    case 'signature-label':
      return c.mailbox ? t.rewriteSignatureMailbox(c.mailbox) : t.rewriteSignatureLabelRemoved;
  }
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // no clipboard permission in this host: the addresses stay shown, selectable
  }
}

export interface AppProps {
  readonly port: MailboxPort;
  readonly client: ConnectorClient;
  readonly directory: DirectoryClient;
  readonly send: SendClient;
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

export function App({ port, client, directory, send, t, labels }: AppProps) {
  const styles = useStyles();
  const { checking, result, refresh } = useRecipientCheck(port, client);
  const readMode = port.mode === 'read';
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [moved, setMoved] = useState<{ list: readonly RecipientInput[]; opened: boolean } | undefined>(undefined);
  const [rewrite, setRewrite] = useState<RewriteState | undefined>(undefined);
  const rewriting = useRef(false);
  // the sending mailbox chosen in the send panel, if any yet: it fills a "MSSanté :" signature label
  const senderMailbox = useRef<string | undefined>(undefined);
  const onSenderChange = useCallback((address: string) => {
    senderMailbox.current = address;
  }, []);

  // First meaningful render (bench/taskpane.mjs): the first check's outcome is on screen (recipients, or "none").
  const marked = useRef(false);
  useEffect(() => {
    if (result && !marked.current && typeof performance !== 'undefined' && typeof performance.mark === 'function') {
      marked.current = true;
      performance.mark(FIRST_CHECK_MARK);
    }
  }, [result]);

  /** Runs one fix through the port, announces it, and checks again (RecipientsChanged also triggers a check). */
  const fix = useCallback(
    async (run: () => Promise<string>) => {
      setBusy(true);
      try {
        setNotice(t.fixDone(await run()));
      } catch {
        setNotice(t.fixFailed);
      } finally {
        setBusy(false);
        refresh();
      }
    },
    [t, refresh],
  );

  const onReplace = (field: RecipientField, from: string, to: string, displayName?: string) =>
    void fix(async () => {
      await replaceRecipient(port, field, from, { emailAddress: to, ...(displayName ? { displayName } : {}) });
      return t.replacedNotice(from, to);
    });
  const onRemove = (field: RecipientField, address: string) =>
    void fix(async () => {
      await removeRecipient(port, field, address);
      return t.removedNotice(address);
    });
  const onAdd = (field: RecipientField, address: string, displayName?: string) =>
    void fix(async () => {
      const added = await addRecipient(port, field, { emailAddress: address, ...(displayName ? { displayName } : {}) });
      return added ? t.addedNotice(address) : t.alreadyThere(address);
    });
  const onMove = () =>
    void fix(async () => {
      const subject = await port.getSubject().catch(() => undefined);
      const outcome = await moveNonMssante(port, result?.rows ?? [], subject);
      if (!outcome.openedNewMessage) await copyText(recipientsLine(outcome.moved));
      setMoved({ list: outcome.moved, opened: outcome.openedNewMessage });
      return outcome.openedNewMessage ? t.moveDoneRead(outcome.moved.length) : t.moveDoneCompose(outcome.moved.length);
    });

  // Reply rewriting: a reply (compose type) with a recipient at a configured gateway is rewritten once per item.
  useEffect(() => {
    if (readMode || !result || rewriting.current) return;
    if (!result.rows.some((r) => r.classification?.kind === 'gateway')) return;
    rewriting.current = true;
    void (async () => {
      try {
        if ((await port.getComposeType()) !== 'reply') return;
        if ((await port.getSessionData(REWRITTEN_KEY).catch(() => undefined)) === 'yes') return;
        const policy = await client.getPolicy();
        const outcome = await rewriteGatewayReply({
          port,
          rows: result.rows,
          gateways: policy.gateways,
          ...(senderMailbox.current ? { senderMailbox: senderMailbox.current } : {}),
        });
        await port.setSessionData(REWRITTEN_KEY, 'yes').catch(() => undefined);
        if (outcome.applied) setRewrite({ kind: 'done', changes: outcome.changes });
      } catch {
        setRewrite({ kind: 'failed' });
      } finally {
        rewriting.current = false;
        refresh();
      }
    })();
  }, [readMode, result, port, client, refresh]);

  const movable = result ? recipientsToMove(result.rows) : [];
  const hasSecure = !!result?.rows.some((r) => r.classification && SECURE_KINDS.includes(r.classification.kind));

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
        {rewrite?.kind === 'done' && (
          <MessageBar intent="info" layout="multiline" data-testid="rewrite-bar">
            <MessageBarBody>
              <MessageBarTitle>{t.rewriteTitle}</MessageBarTitle>
              <ul className={styles.changes} data-testid="rewrite-changes">
                {rewrite.changes.map((c, i) => (
                  <li key={i} data-kind={c.kind}>
                    {changeText(c, t)}
                  </li>
                ))}
                <li>{t.rewriteThreading}</li>
              </ul>
            </MessageBarBody>
          </MessageBar>
        )}
        {rewrite?.kind === 'failed' && (
          <MessageBar intent="warning" data-testid="rewrite-bar">
            <MessageBarBody>{t.rewriteFailed}</MessageBarBody>
          </MessageBar>
        )}
        {/* Outcome of the last fix, for screen readers (and sighted users: it says what changed). */}
        <Caption1 role="status" aria-live="polite" data-testid="fix-notice" className={styles.muted}>
          {notice}
        </Caption1>
        {readMode && <Caption1 className={styles.muted}>{t.readMode}</Caption1>}
        {result && result.rows.length > 0 && (
          <RecipientList
            rows={result.rows}
            t={t}
            labels={labels}
            readMode={readMode}
            renderFixes={
              readMode
                ? undefined
                : (row) => <RecipientFixes row={row} t={t} directory={directory} busy={busy} onReplace={onReplace} onRemove={onRemove} />
            }
          />
        )}
        {movable.length > 0 && hasSecure && (
          <div className={styles.moveRow}>
            <Button onClick={onMove} disabled={busy} data-testid="fix-move">
              {t.moveButton}
            </Button>
          </div>
        )}
        {moved && moved.list.length > 0 && (
          <MessageBar intent="info" layout="multiline" data-testid="move-result">
            <MessageBarBody>
              <MessageBarTitle>{t.moveDoneTitle}</MessageBarTitle>
              <div>{moved.opened ? t.moveDoneRead(moved.list.length) : t.moveDoneCompose(moved.list.length)}</div>
              {!moved.opened && (
                <>
                  <div className={styles.copyLine} data-testid="move-addresses">
                    {recipientsLine(moved.list)}
                  </div>
                  <Button size="small" onClick={() => void copyText(recipientsLine(moved.list)).then((ok) => ok && setNotice(t.copied))}>
                    {t.copyAgain}
                  </Button>
                </>
              )}
            </MessageBarBody>
          </MessageBar>
        )}
        {!readMode && <DirectorySearch t={t} directory={directory} disabled={busy} onAdd={onAdd} />}
        {!readMode && (
          <SendPanel
            port={port}
            client={send}
            t={t}
            verdict={result?.verdict}
            hasPatientRecipient={!!result?.rows.some((r) => r.classification?.kind === 'patient')}
            onSenderChange={onSenderChange}
          />
        )}
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
