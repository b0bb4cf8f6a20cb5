// Runtime: browser (harness page /harness.html). Left: the simulated Outlook compose form; right: the REAL built task
// pane (/harness/taskpane.html) in an iframe; hidden: the REAL built event runtime (/harness/commands.html, which loads
// /launchevent.js). "Envoyer" runs the real onMessageSendHandler and shows what Outlook would show.
import {
  Badge,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle1,
  Title3,
  Toolbar,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { ComposeForm } from './ComposeForm';
import type { FakeComposeType, FakeMailbox } from './fake-mailbox';
import { gatewayReply } from './samples';
import { alertView, runInfoHandler, runSendHandler, type AlertButton, type AlertView, type SendOutcome } from './smart-alert';
import { SmartAlertDialog } from './SmartAlertDialog';
import { useMailboxState } from './use-mailbox';

const useStyles = makeStyles({
  page: {
    display: 'grid',
    gridTemplateColumns: 'minmax(480px, 1fr) 400px',
    gridTemplateRows: 'auto 1fr',
    gap: tokens.spacingHorizontalL,
    height: '100vh',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  banner: { gridColumn: '1 / span 2', display: 'flex', alignItems: 'baseline', gap: tokens.spacingHorizontalM },
  compose: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
    overflowY: 'auto',
  },
  pane: {
    display: 'flex',
    flexDirection: 'column',
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
    overflow: 'hidden',
  },
  paneHighlight: { outline: `3px solid ${tokens.colorBrandStroke1}` },
  paneTitle: {
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  frame: { flexGrow: 1, border: 'none', width: '100%' },
  muted: { color: tokens.colorNeutralForeground2 },
  log: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, whiteSpace: 'pre-wrap' },
});

const COMPOSE_TYPE_LABELS: Record<FakeComposeType, string> = {
  newMail: 'Rédaction : nouveau message',
  reply: 'Rédaction : réponse',
  forward: 'Rédaction : transfert',
};

/** Forwards `?lang=en` of the harness page to the task pane. */
function languageQuery(): string {
  const lang = new URLSearchParams(window.location.search).get('lang');
  return lang ? `?lang=${encodeURIComponent(lang)}` : '';
}

type SendState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'checking' }
  | { readonly phase: 'sent'; readonly count: number; readonly anyway: boolean }
  | { readonly phase: 'not-sent' };

export function HarnessApp({ mailbox }: { mailbox: FakeMailbox }) {
  const styles = useStyles();
  const state = useMailboxState(mailbox);
  const commandsFrame = useRef<HTMLIFrameElement>(null);
  const paneFrame = useRef<HTMLIFrameElement>(null);
  const [send, setSend] = useState<SendState>({ phase: 'idle' });
  const [dialog, setDialog] = useState<Extract<AlertView, { kind: 'dialog' }> | undefined>(undefined);
  const [lastOutcome, setLastOutcome] = useState<{ outcome: SendOutcome; completions: number } | undefined>(undefined);
  const [paneKey, setPaneKey] = useState(0);
  const [highlight, setHighlight] = useState(false);

  const recipientCount = state.to.length + state.cc.length + state.bcc.length;

  // OnMessageRecipientsChanged / OnMessageAttachmentsChanged: Outlook runs the associated handlers of the event runtime
  // on each change; they maintain the info bar that ComposeForm shows (notificationMessages).
  useEffect(
    () =>
      mailbox.subscribe((change) => {
        if (change.type === 'recipients' || change.type === 'attachments') {
          void runInfoHandler(() => commandsFrame.current?.contentWindow, change.type);
        }
      }),
    [mailbox],
  );

  const onSend = async () => {
    setSend({ phase: 'checking' });
    setDialog(undefined);
    const outcome = await runSendHandler(() => commandsFrame.current?.contentWindow);
    const view = alertView(outcome);
    const recordCompletions = () =>
      setLastOutcome({ outcome, completions: outcome.kind === 'completed' ? outcome.completions() : 0 });
    recordCompletions();
    // A second event.completed would be a bug of the handler: look again once it had the chance to happen.
    setTimeout(recordCompletions, 500);
    if (view.kind === 'sent') {
      setSend({ phase: 'sent', count: recipientCount, anyway: false });
    } else {
      setSend({ phase: 'idle' });
      setDialog(view);
    }
  };

  const onChoose = (button: AlertButton) => {
    setDialog(undefined);
    switch (button) {
      case 'send-anyway':
        setSend({ phase: 'sent', count: recipientCount, anyway: true });
        break;
      case 'take-action':
        // Outlook opens the task pane named by commandId: reload it, as a freshly opened pane, and point at it.
        setSend({ phase: 'not-sent' });
        setPaneKey((k) => k + 1);
        setHighlight(true);
        setTimeout(() => setHighlight(false), 2500);
        paneFrame.current?.focus();
        break;
      case 'dont-send':
        setSend({ phase: 'not-sent' });
        break;
    }
  };

  return (
    <div className={styles.page}>
      <header className={styles.banner}>
        <Title3 as="h1">Harnais MSSanté pour Outlook</Title3>
        <Caption1 className={styles.muted}>
          Outlook simulé (Outlook sur le web) · le volet et la vérification à l’envoi sont le vrai complément construit
        </Caption1>
      </header>

      <main className={styles.compose} aria-label="Message en cours de rédaction">
        <Toolbar aria-label="Commandes du message">
          <Button appearance="primary" onClick={() => void onSend()} disabled={send.phase === 'checking'} data-testid="btn-send">
            Envoyer
          </Button>
          <Button onClick={() => mailbox.loadItem(gatewayReply())} data-testid="btn-reply-gateway">
            Répondre à un message reçu via la passerelle
          </Button>
          <Button appearance="subtle" onClick={() => mailbox.loadItem({})} data-testid="btn-new">
            Nouveau message
          </Button>
          {/* Outlook's theme switch: the fake host raises OfficeThemeChanged, the pane follows it. */}
          <Button appearance="subtle" onClick={() => mailbox.setDarkTheme(!state.darkTheme)} aria-pressed={!!state.darkTheme} data-testid="btn-theme">
            Thème sombre d’Outlook
          </Button>
          <Badge appearance="tint" color="informative" data-testid="compose-type" data-compose-type={state.composeType}>
            {COMPOSE_TYPE_LABELS[state.composeType]}
          </Badge>
        </Toolbar>
        <Caption1 className={styles.muted}>De : {state.user.displayName} &lt;{state.user.emailAddress}&gt;</Caption1>

        <div role="status" aria-live="polite" data-testid="send-status">
          {send.phase === 'checking' && <Spinner size="tiny" label="Vérification du message par les compléments…" />}
          {send.phase === 'sent' && (
            <MessageBar intent="success" data-testid="send-result" data-result="sent">
              <MessageBarBody>
                <MessageBarTitle>Message envoyé (simulation)</MessageBarTitle>
                {send.count} destinataire(s){send.anyway ? ', envoyé quand même après l’alerte.' : '.'}
              </MessageBarBody>
            </MessageBar>
          )}
          {send.phase === 'not-sent' && (
            <MessageBar intent="info" data-testid="send-result" data-result="not-sent">
              <MessageBarBody>Le message n’a pas été envoyé. Corrigez-le puis cliquez à nouveau sur « Envoyer ».</MessageBarBody>
            </MessageBar>
          )}
        </div>

        {state.discarded && (
          <MessageBar intent="success" data-testid="draft-discarded">
            <MessageBarBody>
              <MessageBarTitle>Brouillon fermé et supprimé</MessageBarTitle>
              Le complément a appelé item.closeAsync({'{'} discardItem: true {'}'}) après l’acceptation par le connecteur MSSanté.
              Dans Outlook, la fenêtre de rédaction se ferme et le volet s’arrête.
            </MessageBarBody>
          </MessageBar>
        )}

        <ComposeForm mailbox={mailbox} state={state} />

        {lastOutcome && (
          <details data-testid="send-log">
            <summary>Détails techniques du dernier envoi</summary>
            {lastOutcome.completions > 1 && (
              <MessageBar intent="error">
                <MessageBarBody>event.completed appelé {lastOutcome.completions} fois : le gestionnaire est fautif.</MessageBarBody>
              </MessageBar>
            )}
            <pre className={styles.log} data-testid="send-log-json">
              {JSON.stringify({ ...lastOutcome.outcome, completions: lastOutcome.completions }, null, 2)}
            </pre>
          </details>
        )}
      </main>

      <aside className={mergeClasses(styles.pane, highlight && styles.paneHighlight)} aria-label="Volet du complément « Envoyer en MSSanté »">
        <Subtitle1 as="h2" className={styles.paneTitle}>
          MSSanté pour Outlook
        </Subtitle1>
        <iframe
          key={paneKey}
          ref={paneFrame}
          className={styles.frame}
          src={`/harness/taskpane.html${languageQuery()}`}
          title="Volet Vérification MSSanté"
          data-testid="taskpane-frame"
        />
      </aside>

      {/* The event runtime Outlook loads for OnMessageSend: the real /launchevent.js over the fake Office host. */}
      <iframe ref={commandsFrame} src="/harness/commands.html" title="Runtime des événements" hidden data-testid="commands-frame" />

      <SmartAlertDialog view={dialog} onChoose={onChoose} />
    </div>
  );
}
