// Runtime: Outlook event runtime. Classic Outlook on Windows runs this file in its JavaScript-only runtime (no DOM, no
// localStorage, no Office.onReady; OUTLOOK.md §1.7); the web, new Outlook and Mac load it from commands.html. It is
// bundled by webpack into ONE classic script, dist/launchevent.js, compiled to ES2016: no async/await here, only
// callbacks threading their state through asyncContext, and every path completes the event exactly once.
// The bundle (core included) does contain conditional operators `?:`, which classic builds before Version 2403 refuse;
// the manifest's DefaultMinVersion 1.14 (Version 2404+) keeps those builds from loading it (OUTLOOK.md §1.7).
//
// Smart Alerts (OnMessageSend, Mailbox 1.12; docs/outlook/onmessagesend-onappointmentsend-events.md). Foundation
// behaviour; the Smart Alerts issue deepens it (policy from the connector, contextData to the task pane).
//
// Fail policy, written down (STYLE.md rule 3): when the check itself fails (an Office call fails, an exception), the
// handler does NOT let the message go silently and does NOT block without explaining: it completes with a French
// warning and PromptUser, so the user reads why and chooses "Envoyer quand même" or "Corriger".
import {
  createClassifier,
  defaultTrustSpace,
  DEFAULT_POLICY,
  evaluateSend,
  listFr,
  RECIPIENT_FIELDS,
  VERDICT_REASON_LABELS_FR,
  type CandidateRecipient,
  type RecipientField,
  type Verdict,
} from '../../core';

/** The subset of Office.MailboxEvent the handler uses. */
export interface SendEvent {
  completed(options?: Office.SmartAlertsEventCompletedOptions): void;
}

/** Manifest `Control id` of the "Envoyer en MSSanté" compose button: the Smart Alerts button opens that task pane. */
export const TASKPANE_COMMAND_ID = 'msgComposeOpenPaneButton';
/** Label of the Smart Alerts button that opens the task pane (cancelLabel, ≤ 20 characters, Mailbox 1.14). */
export const FIX_LABEL = 'Corriger';
/** errorMessage and errorMessageMarkdown are limited to 500 characters (d.ts SmartAlertsEventCompletedOptions). */
export const MAX_MESSAGE_LENGTH = 500;

/**
 * Wraps `event.completed` so that it runs at most once, whatever the path. Returns the completing function; it
 * returns true the first time, false afterwards.
 */
export function completeOnce(event: SendEvent): (options: Office.SmartAlertsEventCompletedOptions) => boolean {
  let done = false;
  return function complete(options) {
    if (done) return false;
    done = true;
    try {
      event.completed(options);
    } catch (err) {
      // Nothing else can be done once Outlook refuses the completion; never try a second time.
      logIssue('COMPLETED_THREW', err);
    }
    return true;
  };
}

/** What the handler gathers from the item before deciding. */
interface SendCheck {
  readonly complete: (options: Office.SmartAlertsEventCompletedOptions) => boolean;
  readonly item: Office.MessageCompose;
  readonly recipients: Record<RecipientField, Office.EmailAddressDetails[]>;
  subject: string;
  bodyText: string;
  attachmentNames: string[];
}

/** French names of the steps, shown when one fails. */
const STEP_LABELS = {
  to: 'lecture des destinataires (À)',
  cc: 'lecture des destinataires (Cc)',
  bcc: 'lecture des destinataires (Cci)',
  subject: 'lecture de l’objet',
  body: 'lecture du corps du message',
  attachments: 'lecture des pièces jointes',
  check: 'analyse du message',
  start: 'démarrage de la vérification',
} as const;
type Step = keyof typeof STEP_LABELS;

/** Logs a code and the Office error name only: never addresses, subjects or bodies (STYLE.md rule 10). */
function logIssue(code: string, err: unknown): void {
  if (typeof console === 'undefined') return;
  const name = err && typeof err === 'object' && 'name' in err ? String((err as { name: unknown }).name) : typeof err;
  console.warn('[mss-outlook] onMessageSendHandler ' + code + ' ' + name);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** Escapes the characters errorMessageMarkdown interprets (bold/italic, lists, links, backslash). */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_[\]()#`>+-])/g, '\\$1');
}

function isSetSupported(version: string): boolean {
  try {
    return !!Office.context.requirements && Office.context.requirements.isSetSupported('Mailbox', version);
  } catch {
    return false;
  }
}

function promptUser(): Office.MailboxEnums.SendModeOverride | string {
  return Office.MailboxEnums && Office.MailboxEnums.SendModeOverride
    ? Office.MailboxEnums.SendModeOverride.PromptUser
    : 'promptUser';
}

/** The texts of a warn / block dialog. */
export interface AlertTexts {
  readonly errorMessage: string;
  readonly errorMessageMarkdown: string;
}

/**
 * Builds the dialog texts of a verdict (French, ≤ 500 characters each): what is wrong, one short line per reason with
 * the addresses concerned, then what to do. The full explanations and the fixes are in the task pane ("Corriger").
 */
export function alertTexts(verdict: Verdict): AlertTexts {
  const intro =
    verdict.action === 'block'
      ? 'Envoi bloqué par la politique MSSanté de votre structure.'
      : 'Vérifiez ce message avant de l’envoyer.';
  const outro =
    verdict.action === 'block'
      ? 'Choisissez « ' + FIX_LABEL + ' » pour voir les destinataires en cause et les solutions.'
      : 'Choisissez « ' + FIX_LABEL + ' » pour voir les destinataires en cause, ou envoyez quand même.';
  const lines = verdict.reasons.map(function (r) {
    const label = VERDICT_REASON_LABELS_FR[r.code];
    return r.addresses.length > 0 ? label + ' : ' + listFr(r.addresses, 3) : label;
  });

  // Plain text (all clients): reasons first, cut if needed, never the final instruction.
  const plainRoom = MAX_MESSAGE_LENGTH - intro.length - outro.length - 2;
  const plainBody = truncate(lines.map((l) => l + '.').join(' '), Math.max(0, plainRoom));
  const errorMessage = truncate([intro, plainBody, outro].filter((s) => s.length > 0).join(' '), MAX_MESSAGE_LENGTH);

  // Markdown (Mailbox 1.15): list items end with \r, paragraphs are separated by \n\n; whole items only.
  const mdIntro = '**' + escapeMarkdown(intro) + '**';
  const mdOutro = escapeMarkdown(outro);
  let items = '';
  for (const line of lines) {
    const next = '- ' + escapeMarkdown(line) + '\r';
    if (mdIntro.length + 2 + items.length + next.length + 2 + mdOutro.length > MAX_MESSAGE_LENGTH) break;
    items += next;
  }
  const errorMessageMarkdown = truncate(
    items.length > 0 ? mdIntro + '\n\n' + items + '\n\n' + mdOutro : mdIntro + '\n\n' + mdOutro,
    MAX_MESSAGE_LENGTH,
  );
  return { errorMessage, errorMessageMarkdown };
}

/** Maps a verdict to the Smart Alerts completion options, in ONE place (STYLE.md rule 1). */
export function completedOptionsFor(verdict: Verdict, markdown: boolean): Office.SmartAlertsEventCompletedOptions {
  if (verdict.action === 'allow') return { allowEvent: true };
  const texts = alertTexts(verdict);
  const options: Office.SmartAlertsEventCompletedOptions = {
    allowEvent: false,
    errorMessage: texts.errorMessage,
    cancelLabel: FIX_LABEL,
    commandId: TASKPANE_COMMAND_ID,
  };
  if (markdown) options.errorMessageMarkdown = texts.errorMessageMarkdown;
  // warn: the user may "Envoyer quand même" (PromptUser, Mailbox 1.14); block: the manifest's send mode applies.
  if (verdict.action === 'warn') options.sendModeOverride = promptUser();
  return options;
}

/** The completion used when the check itself failed: explain, and let the user choose (see the fail policy above). */
export function failureOptions(step: Step): Office.SmartAlertsEventCompletedOptions {
  const text =
    'La vérification MSSanté n’a pas pu aboutir (' +
    STEP_LABELS[step] +
    '). Avant d’envoyer des données de santé, vérifiez que chaque destinataire a une adresse MSSanté. ' +
    'Choisissez « ' +
    FIX_LABEL +
    ' » pour ouvrir la vérification, ou envoyez quand même.';
  return {
    allowEvent: false,
    errorMessage: truncate(text, MAX_MESSAGE_LENGTH),
    cancelLabel: FIX_LABEL,
    commandId: TASKPANE_COMMAND_ID,
    sendModeOverride: promptUser(),
  };
}

function fail(check: { complete: SendCheck['complete'] }, step: Step, err: unknown): void {
  logIssue('STEP_FAILED_' + step.toUpperCase(), err);
  check.complete(failureOptions(step));
}

let classifier: ReturnType<typeof createClassifier> | undefined;
/** The classifier, built once per runtime (parsing the bundled liste blanche is the costly part). */
function getClassifier(): ReturnType<typeof createClassifier> {
  if (!classifier) classifier = createClassifier({ trustSpace: defaultTrustSpace() });
  return classifier;
}

/**
 * Runs one Office `*Async` call with `{asyncContext: check}` and continues with `next` on success. A failed status,
 * a thrown exception, or a missing API ends in `fail` (one completion, through `check.complete`).
 */
function officeStep<T>(
  check: SendCheck,
  step: Step,
  start: (options: Office.AsyncContextOptions, callback: (result: Office.AsyncResult<T>) => void) => void,
  onValue: (check: SendCheck, value: T) => void,
  next: (check: SendCheck) => void,
): void {
  try {
    start({ asyncContext: check }, function (result) {
      // asyncContext is how Office hands the state back (d.ts AsyncResult.asyncContext); fall back to the closure.
      const c = (result && (result.asyncContext as SendCheck)) || check;
      try {
        if (!result || result.status !== Office.AsyncResultStatus.Succeeded) {
          fail(c, step, result ? result.error : undefined);
          return;
        }
        onValue(c, result.value);
        next(c);
      } catch (err) {
        fail(c, step, err);
      }
    });
  } catch (err) {
    fail(check, step, err);
  }
}

function readRecipients(field: RecipientField, next: (check: SendCheck) => void) {
  return function (check: SendCheck) {
    officeStep<Office.EmailAddressDetails[]>(
      check,
      field,
      function (options, cb) {
        check.item[field].getAsync(options, cb);
      },
      function (c, value) {
        c.recipients[field] = value || [];
      },
      next,
    );
  };
}

function readSubject(next: (check: SendCheck) => void) {
  return function (check: SendCheck) {
    officeStep<string>(
      check,
      'subject',
      function (options, cb) {
        check.item.subject.getAsync(options, cb);
      },
      function (c, value) {
        c.subject = value || '';
      },
      next,
    );
  };
}

function readBody(next: (check: SendCheck) => void) {
  return function (check: SendCheck) {
    officeStep<string>(
      check,
      'body',
      function (options, cb) {
        check.item.body.getAsync(Office.CoercionType.Text, options, cb);
      },
      function (c, value) {
        c.bodyText = value || '';
      },
      next,
    );
  };
}

function readAttachments(next: (check: SendCheck) => void) {
  return function (check: SendCheck) {
    if (typeof check.item.getAttachmentsAsync !== 'function') {
      next(check); // Mailbox < 1.8: scan without attachment names
      return;
    }
    officeStep<Office.AttachmentDetailsCompose[]>(
      check,
      'attachments',
      function (options, cb) {
        check.item.getAttachmentsAsync(options, cb);
      },
      function (c, value) {
        c.attachmentNames = (value || []).map((a) => a.name);
      },
      next,
    );
  };
}

function decide(check: SendCheck): void {
  const classify = getClassifier();
  const recipients: CandidateRecipient[] = [];
  for (const field of RECIPIENT_FIELDS) {
    for (const r of check.recipients[field]) {
      recipients.push({ field, classification: classify(r.emailAddress) });
    }
  }
  const verdict = evaluateSend(
    { recipients, content: { subject: check.subject, bodyText: check.bodyText, attachmentNames: check.attachmentNames } },
    DEFAULT_POLICY,
  );
  check.complete(completedOptionsFor(verdict, isSetSupported('1.15')));
}

/**
 * OnMessageSend handler (manifest `LaunchEvent Type="OnMessageSend" FunctionName="onMessageSendHandler"`).
 * Reads To, Cc, Bcc, subject, body (text) and attachment names, classifies the recipients with the core, evaluates
 * the default policy and completes the event exactly once.
 */
export function onMessageSendHandler(event: SendEvent): void {
  const complete = completeOnce(event);
  try {
    const item = Office.context.mailbox.item as Office.MessageCompose;
    if (!item) throw new Error('no item');
    const check: SendCheck = {
      complete,
      item,
      recipients: { to: [], cc: [], bcc: [] },
      subject: '',
      bodyText: '',
      attachmentNames: [],
    };
    const decideSafely = function (c: SendCheck) {
      try {
        decide(c);
      } catch (err) {
        fail(c, 'check', err);
      }
    };
    readRecipients('to', readRecipients('cc', readRecipients('bcc', readSubject(readBody(readAttachments(decideSafely))))))(check);
  } catch (err) {
    fail({ complete }, 'start', err);
  }
}

// Outlook finds the handler by the manifest FunctionName (OUTLOOK.md §1.4); forgetting it blocks every send under
// SoftBlock. Guarded so that node tests can load this file as a module before defining Office.
if (typeof Office !== 'undefined') {
  Office.actions.associate("onMessageSendHandler", onMessageSendHandler);
}
