// Runtime: browser (task pane). "Envoyer en MSSanté": the sending mailbox (with its Pro Santé Connect session for a
// personal or organisational one), the patient options (qualified INS with the four identity traits, "fin d'échange"
// → X-MSS-MES: FIN to a patient), the CDA attachments to package as IHE XDM, the read receipt, then the send:
// POST /api/messages with a fresh idempotency key, progress, the status polled from GET /api/messages/:id with the
// receipts of each recipient, and the Outlook draft discarded (item.closeAsync({discardItem: true}), Mailbox 1.14)
// only once the operator accepted it.
import {
  Button,
  Caption1,
  Checkbox,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Subtitle2,
  tokens,
  useId,
} from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { compactNir, validateInsMatricule, type Verdict } from '../../core';
import type { AttachmentInfo, MailboxPort } from '../office/mailbox-port';
import { SignInNotConfiguredError } from './auth';
import type { Messages } from './i18n';
import {
  isAccepted,
  needsPsc,
  newIdempotencyKey,
  pollStatus,
  signInWithPsc,
  type PscSessionState,
  type RecipientReceipt,
  type SendClient,
  type SenderMailbox,
  type SendMessageRequest,
  type SendMessageResponse,
  type SendStatus,
} from './send-client';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    marginTop: tokens.spacingVerticalL,
    paddingTop: tokens.spacingVerticalM,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  group: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, paddingLeft: tokens.spacingHorizontalM },
  // a long mailbox label must not push the select past the pane's edge
  fill: { minWidth: 0, maxWidth: '100%', width: '100%' },
  receipts: { margin: `${tokens.spacingVerticalXS} 0 0 0`, paddingLeft: tokens.spacingHorizontalL },
});

/** A CDA document is an XML attachment; the user confirms each one (the connector checks the content again). */
export function looksLikeCda(name: string): boolean {
  return /\.xml$/i.test(name);
}

type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'signin' | 'submitting' }
  | { readonly kind: 'status'; readonly response: SendMessageResponse; readonly draft?: 'removed' | 'kept' }
  | { readonly kind: 'error'; readonly message: string };

/** The Pro Santé Connect session of the user, as the panel knows it. */
type PscView =
  | { readonly kind: 'checking' | 'signing-in' }
  | { readonly kind: 'state'; readonly state: PscSessionState }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'failed'; readonly code: string }
  | { readonly kind: 'closed' };

/** `14:05` (local time) from an ISO date; '' when unreadable. */
function timeOf(iso: string | undefined, lang: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
}

export interface SendPanelProps {
  readonly port: MailboxPort;
  readonly client: SendClient;
  readonly t: Messages;
  readonly verdict?: Verdict;
  /** A recipient is a patient (`<INS>@patient.mssante.fr`): "fin d'échange" applies only then. */
  readonly hasPatientRecipient?: boolean;
  /** Told when the sending mailbox changes (the reply rewriting puts it in the signature). */
  readonly onSenderChange?: (address: string) => void;
  /** Poll interval (tests shorten it). */
  readonly pollIntervalMs?: number;
}

export function SendPanel({ port, client, t, verdict, hasPatientRecipient = false, onSenderChange, pollIntervalMs }: SendPanelProps) {
  const styles = useStyles();
  const headingId = useId('send');
  const [mailboxes, setMailboxes] = useState<SenderMailbox[] | undefined>(undefined);
  const [from, setFrom] = useState('');
  const [patient, setPatient] = useState(false);
  const [qualified, setQualified] = useState(false);
  const [ins, setIns] = useState('');
  const [birthName, setBirthName] = useState('');
  const [firstNames, setFirstNames] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [sex, setSex] = useState<'F' | 'M' | ''>('');
  const [endOfExchange, setEndOfExchange] = useState(false);
  const [readReceipt, setReadReceipt] = useState(true);
  const [attachments, setAttachments] = useState<AttachmentInfo[]>([]);
  const [cda, setCda] = useState<Record<string, boolean>>({});
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [psc, setPsc] = useState<PscView>({ kind: 'checking' });
  const [signinProblem, setSigninProblem] = useState<{ readonly message: string; readonly notConfigured: boolean } | undefined>(undefined);
  const alive = useRef(true);

  const [signedIn, setSignedIn] = useState(false);
  const loadMailboxes = (interactive: boolean) =>
    client.listMailboxes(interactive).then(
      (list) => {
        if (!alive.current) return;
        setSignedIn(true);
        setSigninProblem(undefined);
        setMailboxes(list);
        if (list.length > 0) setFrom((f) => f || list[0].address);
      },
      (err: unknown) => {
        if (!alive.current) return;
        setMailboxes([]);
        // not configured: say so (and why); a silent attempt that needs the user says nothing until the click
        if (err instanceof SignInNotConfiguredError) setSigninProblem({ message: err.message, notConfigured: true });
        else if (interactive) setSigninProblem({ message: t.signinFailed, notConfigured: false });
      },
    );

  useEffect(() => {
    alive.current = true;
    // Silent only: opening the pane never pops a sign-in window (the "Se connecter" button does, on a click).
    void loadMailboxes(false);
    return () => {
      alive.current = false;
    };
  }, [client]);

  useEffect(() => {
    if (from.trim()) onSenderChange?.(from.trim());
  }, [from, onSenderChange]);

  // A patient's address among the recipients: open the patient section once (the user may close it again).
  const patientOpened = useRef(false);
  useEffect(() => {
    if (hasPatientRecipient && !patientOpened.current) {
      patientOpened.current = true;
      setPatient(true);
    }
  }, [hasPatientRecipient]);

  const sender = mailboxes?.find((m) => m.address.toLowerCase() === from.trim().toLowerCase());
  const pscNeeded = needsPsc(sender);

  const refreshPsc = useCallback(async () => {
    setPsc({ kind: 'checking' });
    try {
      const state = await client.pscState();
      if (alive.current) setPsc({ kind: 'state', state });
    } catch {
      // the connector has no PSC session route (404) or cannot answer: sending from this mailbox cannot work now
      if (alive.current) setPsc({ kind: 'unavailable' });
    }
  }, [client]);

  useEffect(() => {
    if (pscNeeded) void refreshPsc();
  }, [pscNeeded, refreshPsc]);

  async function pscSignIn() {
    setPsc({ kind: 'signing-in' });
    const outcome = await signInWithPsc(client, (url) => port.openDialog(url));
    if (!alive.current) return;
    if (outcome.kind === 'connected') setPsc({ kind: 'state', state: outcome.state });
    else if (outcome.kind === 'closed') setPsc({ kind: 'closed' });
    else setPsc({ kind: 'failed', code: outcome.code ?? '' });
  }

  // Attachments are read again after every check (the verdict changes): the user may attach while the pane is open.
  useEffect(() => {
    let live = true;
    port.getAttachments().then(
      (list) => {
        if (!live) return;
        const files = list.filter((a) => !a.isInline);
        setAttachments(files);
        // a new attachment gets the default flag (XML → CDA); the user's choice for the others is kept
        setCda((prev) => Object.fromEntries(files.map((a) => [a.id, prev[a.id] ?? looksLikeCda(a.name)])));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [port, verdict]);

  const insCheck = ins ? validateInsMatricule(compactNir(ins)) : undefined;
  const anyXdm = attachments.some((a) => !!cda[a.id]);
  const missing: string[] = [];
  if (!from.trim()) missing.push(t.senderLabel);
  if (pscNeeded && !(psc.kind === 'state' && psc.state.connected)) missing.push(t.pscRequired);
  if (patient) {
    if (!qualified) missing.push(t.insQualified);
    if (!insCheck?.valid) missing.push(t.ins);
    if (!birthName.trim()) missing.push(t.birthName);
    if (!firstNames.trim()) missing.push(t.firstNames);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) missing.push(t.birthDate);
    if (!sex) missing.push(t.sex);
  }
  const insReady = patient && qualified && !!insCheck?.valid;
  // The recipient check does not know the identity entered here: a qualified INS answers PATIENT_WITHOUT_QUALIFIED_INS
  // (the connector checks the INS again). Any other blocking reason still blocks.
  const blocking = (verdict?.reasons ?? []).filter((r) => r.action === 'block' && !(insReady && r.code === 'PATIENT_WITHOUT_QUALIFIED_INS'));
  const blocked = blocking.length > 0;
  const blockedForInsOnly = blocked && blocking.every((r) => r.code === 'PATIENT_WITHOUT_QUALIFIED_INS');
  const running = phase.kind === 'signin' || phase.kind === 'submitting' || (phase.kind === 'status' && !phase.draft && phase.response.status !== 'failed');

  async function send() {
    setPhase({ kind: 'submitting' });
    try {
      const [recipients, subject, bodyType] = await Promise.all([port.getRecipients(), port.getSubject(), port.getBodyType()]);
      const body = await port.getBody(bodyType);
      const files = await Promise.all(
        attachments.map(async (a) => ({
          name: a.name,
          contentType: looksLikeCda(a.name) ? 'text/xml' : 'application/octet-stream',
          contentBase64: await port.getAttachmentBase64(a.id),
          xdm: !!cda[a.id],
        })),
      );
      const request: SendMessageRequest = {
        from: from.trim(),
        to: recipients.to.map((r) => r.emailAddress),
        cc: recipients.cc.map((r) => r.emailAddress),
        bcc: recipients.bcc.map((r) => r.emailAddress),
        subject,
        body: { contentType: bodyType, content: body },
        attachments: files,
        endOfExchange: endOfExchange && hasPatientRecipient,
        readReceipt,
        ...(patient
          ? {
              patient: {
                ins: compactNir(ins),
                insQualified: qualified,
                birthName: birthName.trim(),
                firstNames: firstNames.trim(),
                birthDate,
                sex: sex as 'F' | 'M',
              },
            }
          : {}),
      };
      // One key per click: a retry of THIS submission (network) reuses it inside submit; a new click is a new message.
      const first = await client.submit(request, newIdempotencyKey());
      if (!alive.current) return;
      let draftDone = false;
      const onStatus = async (r: SendMessageResponse) => {
        setPhase((p) => ({ kind: 'status', response: r, draft: p.kind === 'status' ? p.draft : undefined }));
        if (!draftDone && isAccepted(r.status)) {
          draftDone = true;
          // The operator accepted it: only now may the Outlook draft go.
          const draft = await port.discardDraft().then(
            () => 'removed' as const,
            () => 'kept' as const,
          );
          if (alive.current) setPhase((p) => (p.kind === 'status' ? { ...p, draft } : p));
        }
      };
      await onStatus(first);
      await pollStatus(client, first, (r) => void onStatus(r), {
        ...(pollIntervalMs !== undefined ? { intervalMs: pollIntervalMs } : {}),
        cancelled: () => !alive.current,
      });
    } catch (err) {
      if (alive.current) setPhase({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  const statusText = (s: SendStatus) => t.sendStatus[s];
  const lang = document.documentElement.lang || 'fr';

  return (
    <section className={styles.root} aria-labelledby={headingId} data-testid="send-panel">
      <Subtitle2 as="h2" id={headingId}>
        {t.sendTitle}
      </Subtitle2>
      {mailboxes && mailboxes.length > 0 ? (
        <Field label={t.senderLabel} hint={sender ? t.mailboxType[sender.type] : undefined}>
          <Select className={styles.fill} value={from} onChange={(_e, d) => setFrom(d.value)} data-testid="send-from">
            {mailboxes.map((m) => (
              <option key={m.address} value={m.address}>
                {m.label ? `${m.label} — ${m.address}` : m.address}
              </option>
            ))}
          </Select>
        </Field>
      ) : (
        <>
          <Field label={t.senderManual} hint={mailboxes ? t.senderUnavailable : undefined}>
            <Input type="email" value={from} onChange={(_e, d) => setFrom(d.value)} data-testid="send-from-input" />
          </Field>
          {!signedIn && mailboxes && !signinProblem?.notConfigured && (
            <Button appearance="secondary" onClick={() => void loadMailboxes(true)} data-testid="send-signin">
              {t.signIn}
            </Button>
          )}
        </>
      )}
      {signinProblem && (
        <MessageBar intent="warning" layout="multiline" data-testid="send-signin-problem">
          <MessageBarBody>{signinProblem.message}</MessageBarBody>
        </MessageBar>
      )}
      {pscNeeded && (
        <div className={styles.group} data-testid="psc" data-psc={psc.kind === 'state' ? (psc.state.connected ? 'connected' : 'disconnected') : psc.kind}>
          <Caption1>{t.pscNeeded}</Caption1>
          <div role="status" aria-live="polite">
            {psc.kind === 'checking' && <Spinner size="tiny" label={t.pscChecking} />}
            {psc.kind === 'signing-in' && <Spinner size="tiny" label={t.pscSigningIn} />}
            {psc.kind === 'state' && psc.state.connected && <Caption1 data-testid="psc-state">{t.pscConnected(timeOf(psc.state.expiresAt, lang))}</Caption1>}
            {psc.kind === 'state' && !psc.state.connected && <Caption1 data-testid="psc-state">{t.pscDisconnected}</Caption1>}
            {psc.kind === 'unavailable' && (
              <MessageBar intent="warning" layout="multiline" data-testid="psc-state">
                <MessageBarBody>{t.pscUnavailable}</MessageBarBody>
              </MessageBar>
            )}
            {psc.kind === 'failed' && (
              <MessageBar intent="error" layout="multiline" data-testid="psc-state">
                <MessageBarBody>{t.pscFailed(psc.code)}</MessageBarBody>
              </MessageBar>
            )}
            {psc.kind === 'closed' && (
              <MessageBar intent="warning" data-testid="psc-state">
                <MessageBarBody>{t.pscClosed}</MessageBarBody>
              </MessageBar>
            )}
          </div>
          {!(psc.kind === 'state' && psc.state.connected) && psc.kind !== 'unavailable' && (
            <Button appearance="secondary" disabled={psc.kind === 'checking' || psc.kind === 'signing-in'} onClick={() => void pscSignIn()} data-testid="psc-signin">
              {t.pscButton}
            </Button>
          )}
        </div>
      )}
      <Checkbox label={t.patientToggle} checked={patient} onChange={(_e, d) => setPatient(!!d.checked)} data-testid="send-patient" />
      {patient && (
        <div className={styles.group} data-testid="send-patient-fields">
          <Checkbox label={t.insQualified} checked={qualified} onChange={(_e, d) => setQualified(!!d.checked)} data-testid="send-ins-qualified" />
          <Field label={t.ins} hint={t.insQualifiedHint} validationMessage={ins && insCheck && !insCheck.valid ? insCheck.message : undefined}>
            <Input value={ins} onChange={(_e, d) => setIns(d.value)} inputMode="numeric" data-testid="send-ins" />
          </Field>
          <Field label={t.birthName}>
            <Input value={birthName} onChange={(_e, d) => setBirthName(d.value)} data-testid="send-birth-name" />
          </Field>
          <Field label={t.firstNames}>
            <Input value={firstNames} onChange={(_e, d) => setFirstNames(d.value)} data-testid="send-first-names" />
          </Field>
          <Field label={t.birthDate}>
            <Input type="date" value={birthDate} onChange={(_e, d) => setBirthDate(d.value)} data-testid="send-birth-date" />
          </Field>
          <Field label={t.sex}>
            <RadioGroup value={sex} onChange={(_e, d) => setSex(d.value as 'F' | 'M')} layout="horizontal" data-testid="send-sex">
              <Radio value="F" label={t.sexF} />
              <Radio value="M" label={t.sexM} />
            </RadioGroup>
          </Field>
        </div>
      )}
      {hasPatientRecipient && (
        <Checkbox label={t.endOfExchange} checked={endOfExchange} onChange={(_e, d) => setEndOfExchange(!!d.checked)} data-testid="send-end" />
      )}
      <Checkbox label={t.readReceipt} checked={readReceipt} onChange={(_e, d) => setReadReceipt(!!d.checked)} data-testid="send-read-receipt" />
      {attachments.length > 0 && (
        <fieldset className={styles.group}>
          <legend>{t.attachmentsTitle}</legend>
          {attachments.map((a) => (
            <Checkbox
              key={a.id}
              label={t.cdaFlag(a.name)}
              checked={!!cda[a.id]}
              onChange={(_e, d) => setCda((c) => ({ ...c, [a.id]: !!d.checked }))}
              data-testid="send-cda"
            />
          ))}
          {anyXdm && !patient && (
            <Caption1 data-testid="send-cda-needs-patient">{t.cdaNeedsPatient}</Caption1>
          )}
        </fieldset>
      )}
      {blocked && (
        <MessageBar intent="error" data-testid="send-blocked">
          <MessageBarBody>{blockedForInsOnly ? t.sendNeedsQualifiedIns : t.sendBlocked}</MessageBarBody>
        </MessageBar>
      )}
      {!blocked && missing.length > 0 && phase.kind === 'idle' && (
        <MessageBar intent="info" data-testid="send-missing">
          <MessageBarBody>{t.sendMissing(missing.join(', '))}</MessageBarBody>
        </MessageBar>
      )}
      <Button
        appearance="primary"
        disabled={blocked || missing.length > 0 || running || port.mode !== 'compose'}
        onClick={() => void send()}
        data-testid="send-button"
      >
        {t.sendButton}
      </Button>
      <div role="status" aria-live="polite" data-testid="send-progress">
        {phase.kind === 'signin' && <Spinner size="tiny" label={t.sendSignin} />}
        {phase.kind === 'submitting' && <Spinner size="tiny" label={t.sendSubmitting} />}
        {phase.kind === 'status' && (
          <MessageBar
            intent={phase.response.status === 'failed' ? 'error' : 'success'}
            layout="multiline"
            data-testid="send-state"
            data-status={phase.response.status}
            data-draft={phase.draft ?? ''}
          >
            <MessageBarBody>
              <div>{phase.response.status === 'failed' && phase.response.error ? t.sendFailed(phase.response.error.message) : statusText(phase.response.status)}</div>
              {phase.draft === 'removed' && <div>{t.sendDraftRemoved}</div>}
              {phase.draft === 'kept' && <div>{t.sendDraftKept}</div>}
              {phase.response.recipients && phase.response.recipients.length > 0 && (
                <Receipts list={phase.response.recipients} t={t} lang={lang} />
              )}
            </MessageBarBody>
          </MessageBar>
        )}
        {phase.kind === 'error' && (
          <MessageBar intent="error" data-testid="send-state" data-status="error">
            <MessageBarBody>{t.sendFailed(phase.message)}</MessageBarBody>
          </MessageBar>
        )}
      </div>
    </section>
  );
}

/** The receipts of each recipient (DSN: delivered / failed; MDN: read), as the connector reports them. */
function Receipts({ list, t, lang }: { list: readonly RecipientReceipt[]; t: Messages; lang: string }) {
  const styles = useStyles();
  return (
    <div>
      <div>{t.receiptsTitle}</div>
      <ul className={styles.receipts} data-testid="send-receipts">
        {list.map((r) => (
          <li key={r.address} data-address={r.address} data-state={r.state}>
            {r.address} : {t.receiptState(r.state)}
            {r.at && timeOf(r.at, lang) ? ` ${t.receiptAt(timeOf(r.at, lang))}` : ''}
            {r.message ? ` — ${r.message}` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
