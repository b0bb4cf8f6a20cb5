// Runtime: Outlook event runtime. Classic Outlook on Windows runs this file in its JavaScript-only runtime (no DOM, no
// localStorage, no Office.onReady; OUTLOOK.md §1.7); the web, new Outlook and Mac load it from commands.html. It is
// bundled by webpack into ONE classic script, dist/launchevent.js, compiled to ES2016: no async/await anywhere in it
// (checked with acorn at build time), only callbacks, and every path completes the event exactly once through
// completeOnce(). The bundle (core included) does contain conditional operators `?:`, which classic builds before
// Version 2403 refuse; the manifest's DefaultMinVersion 1.14 (Version 2404+) keeps those builds from loading it.
//
// Handlers (manifest LaunchEvent FunctionName = the name given to Office.actions.associate, STYLE.md rule 11):
//  - onMessageSendHandler (OnMessageSend, Smart Alerts, Mailbox 1.12): reads To/Cc/Bcc, subject, body text and
//    attachment names in parallel; classifies every recipient with ONE batched call to the connector
//    (POST /api/recipients/classify, directory identity included) and refreshes the admin policy (GET /api/policy,
//    cached in roamingSettings), both with a short timeout; runs the core's evaluateSend and completes with French
//    texts, a "Corriger" button that opens the "Envoyer en MSSanté" task pane (commandId + contextData), and
//    PromptUser when the policy only warns.
//  - onMessageRecipientsChangedHandler / onMessageAttachmentsChangedHandler (Mailbox 1.11): ONE informational
//    notification (key "mssRecipients") summarising the recipients outside MSSanté and behind a gateway, replaced on
//    each change and removed when there is nothing to say.
//
// Fail policy, written down (STYLE.md rule 3):
//  - connector unreachable (network, timeout, HTTP error, bad answer): recipients are classified locally with the
//    bundled liste blanche and the cached gateways / internal domains; the policy's `connectorDown` mode applies
//    (default 'warn': a clear warning with PromptUser; never a silent pass);
//  - the check itself fails (an Office call fails, an exception): the handler completes with a French warning and
//    PromptUser, so the user reads why and chooses "Envoyer quand même" or "Corriger"; it never lets the message go
//    silently and never blocks without explaining.
import {
  detectHealthData,
  evaluateSend,
  RECIPIENT_FIELDS,
  type CandidateRecipient,
  type Classification,
  type RecipientField,
  type Verdict,
} from '../../core';
import { alertTexts, FIX_LABEL, MAX_MESSAGE_LENGTH, recipientsInfoText, summariseRecipients, TASKPANE_COMMAND_ID, truncate } from './alert-texts';
import { completeOnce, logIssue, parallel, type LaunchEvent, type Task } from './complete-once';
import {
  cachedPolicy,
  cachePolicy,
  CLASSIFY_BATCH_MAX,
  classifyRemote,
  fetchPolicy,
  localClassify,
  type ConnectorOptions,
  type PolicyInfo,
} from './connector-calls';

export { alertTexts, FIX_LABEL, MAX_MESSAGE_LENGTH, TASKPANE_COMMAND_ID } from './alert-texts';
export { completeOnce } from './complete-once';
export type { LaunchEvent } from './complete-once';

/** @deprecated name kept for the foundation's tests: the event type the handlers take. */
export type SendEvent = LaunchEvent;

/** Manifest FunctionNames, one per LaunchEvent. */
export const HANDLER_NAMES = {
  send: 'onMessageSendHandler',
  recipientsChanged: 'onMessageRecipientsChangedHandler',
  attachmentsChanged: 'onMessageAttachmentsChangedHandler',
} as const;

/** notificationMessages key of the recipients info bar (≤ 32 characters). */
export const INFO_BAR_KEY = 'mssRecipients';

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

interface StepError {
  readonly step: Step;
  readonly error: unknown;
}

function isSetSupported(version: string): boolean {
  try {
    return !!Office.context.requirements && Office.context.requirements.isSetSupported('Mailbox', version);
  } catch {
    return false;
  }
}

function promptUser(): Office.MailboxEnums.SendModeOverride | string {
  return Office.MailboxEnums && Office.MailboxEnums.SendModeOverride ? Office.MailboxEnums.SendModeOverride.PromptUser : 'promptUser';
}

/** What the task pane receives through contextData (item.getInitializationContextAsync): codes only, no content. */
export interface SendContext {
  readonly source: 'smart-alert';
  readonly action: Verdict['action'];
  readonly reasons: readonly string[];
  readonly connector: 'ok' | 'unreachable';
}

/** Maps a verdict to the Smart Alerts completion options, in ONE place (STYLE.md rule 1). */
export function completedOptionsFor(verdict: Verdict, markdown: boolean, connectorReached = true): Office.SmartAlertsEventCompletedOptions {
  if (verdict.action === 'allow') return { allowEvent: true };
  const texts = alertTexts(verdict);
  const context: SendContext = {
    source: 'smart-alert',
    action: verdict.action,
    reasons: verdict.reasons.map(function (r) {
      return r.code;
    }),
    connector: connectorReached ? 'ok' : 'unreachable',
  };
  const options: Office.SmartAlertsEventCompletedOptions = {
    allowEvent: false,
    errorMessage: texts.errorMessage,
    cancelLabel: FIX_LABEL,
    commandId: TASKPANE_COMMAND_ID,
    contextData: JSON.stringify(context),
  };
  if (markdown) options.errorMessageMarkdown = texts.errorMessageMarkdown;
  // warn: the user may "Envoyer quand même" (PromptUser, Mailbox 1.14); block: the manifest's SoftBlock applies.
  if (verdict.action === 'warn') options.sendModeOverride = promptUser();
  return options;
}

/** The completion used when the check itself failed: explain, and let the user choose (see the fail policy above). */
export function failureOptions(step: Step): Office.SmartAlertsEventCompletedOptions {
  const text =
    'La vérification MSSanté n’a pas pu aboutir (' +
    STEP_LABELS[step] +
    '). Avant d’envoyer des données de santé, vérifiez que chaque destinataire a une adresse MSSanté. ' +
    '« ' +
    FIX_LABEL +
    ' » ouvre la vérification, ou envoyez quand même.';
  const options: Office.SmartAlertsEventCompletedOptions = {
    allowEvent: false,
    errorMessage: truncate(text, MAX_MESSAGE_LENGTH),
    cancelLabel: FIX_LABEL,
    commandId: TASKPANE_COMMAND_ID,
    contextData: JSON.stringify({ source: 'smart-alert', action: 'warn', reasons: ['CHECK_FAILED'], step }),
    sendModeOverride: promptUser(),
  };
  return options;
}

/** Runs one Office `*Async` getter; `cb(error)` or stores the value then `cb()`. */
function officeRead<T>(
  step: Step,
  start: (callback: (result: Office.AsyncResult<T>) => void) => void,
  onValue: (value: T) => void,
): Task<StepError> {
  return function (cb) {
    start(function (result) {
      if (!result || result.status !== Office.AsyncResultStatus.Succeeded) {
        cb({ step, error: result ? result.error : undefined });
        return;
      }
      try {
        onValue(result.value);
        cb();
      } catch (err) {
        cb({ step, error: err });
      }
    });
  };
}

/** Addresses of the recipients, in field order. */
interface Gathered {
  readonly recipients: Record<RecipientField, Office.EmailAddressDetails[]>;
  subject: string;
  bodyText: string;
  attachmentNames: string[];
  /** Names of the item's categories and sensitivity label, where available. */
  markers: string[];
}

function readRecipientsTasks(item: Office.MessageCompose, g: Gathered): Task<StepError>[] {
  return RECIPIENT_FIELDS.map(function (field) {
    return officeRead<Office.EmailAddressDetails[]>(
      field,
      function (cb) {
        item[field].getAsync(cb);
      },
      function (value) {
        g.recipients[field] = value || [];
      },
    );
  });
}

function readAttachmentsTask(item: Office.MessageCompose, g: Gathered): Task<StepError> {
  return function (cb) {
    if (typeof item.getAttachmentsAsync !== 'function') {
      cb(); // Mailbox < 1.8: no attachment names
      return;
    }
    officeRead<Office.AttachmentDetailsCompose[]>(
      'attachments',
      function (done) {
        item.getAttachmentsAsync(done);
      },
      function (value) {
        g.attachmentNames = (value || []).map(function (a) {
          return a.name;
        });
      },
    )(cb);
  };
}

/**
 * Names of the Outlook categories (Mailbox 1.8) and of the sensitivity label (Mailbox 1.13, Purview labels) of the
 * item, where the client offers them. Optional signals: any failure or absence is ignored (never blocks, never
 * counts as "no health data"); the task always completes.
 */
function readMarkersTask(item: Office.MessageCompose, g: Gathered): Task<StepError> {
  return function (cb) {
    let pending = 2;
    const done = function () {
      pending -= 1;
      if (pending === 0) cb();
    };
    try {
      const categories = (item as { categories?: Office.Categories }).categories;
      if (categories && typeof categories.getAsync === 'function') {
        categories.getAsync(function (r) {
          if (r && r.status === Office.AsyncResultStatus.Succeeded && r.value) {
            r.value.forEach(function (c) {
              if (c && typeof c.displayName === 'string') g.markers.push(c.displayName);
            });
          }
          done();
        });
      } else done();
    } catch {
      done();
    }
    try {
      const catalog = Office.context && (Office.context as { sensitivityLabelsCatalog?: Office.SensitivityLabelsCatalog }).sensitivityLabelsCatalog;
      const label = (item as { sensitivityLabel?: Office.SensitivityLabel }).sensitivityLabel;
      if (catalog && label && isSetSupported('1.13')) {
        label.getAsync(function (lr) {
          if (!lr || lr.status !== Office.AsyncResultStatus.Succeeded || !lr.value) {
            done();
            return;
          }
          const id = lr.value;
          catalog.getAsync(function (cr) {
            if (cr && cr.status === Office.AsyncResultStatus.Succeeded && cr.value) {
              const collect = function (labels: Office.SensitivityLabelDetails[]) {
                labels.forEach(function (l) {
                  if (l.id === id && typeof l.name === 'string') g.markers.push(l.name);
                  if (l.children) collect(l.children);
                });
              };
              collect(cr.value);
            }
            done();
          });
        });
      } else done();
    } catch {
      done();
    }
  };
}

/** Classification of every recipient: the connector's, or the local one when it is unreachable. */
interface Classified {
  readonly byAddress: Classification[];
  readonly connectorReached: boolean;
}

function flatAddresses(g: Gathered): { field: RecipientField; address: string }[] {
  const out: { field: RecipientField; address: string }[] = [];
  for (const field of RECIPIENT_FIELDS) {
    for (const r of g.recipients[field]) out.push({ field, address: r && typeof r.emailAddress === 'string' ? r.emailAddress : '' });
  }
  return out;
}

/** Classifies with ONE connector call; falls back to the local classifier for what the connector did not answer. */
function classifyAll(
  opts: ConnectorOptions,
  handler: string,
  addresses: readonly string[],
  policy: () => PolicyInfo,
  done: (c: Classified) => void,
): void {
  classifyRemote(opts, addresses, function (err, results) {
    if (err || !results) {
      logIssue(handler, 'CONNECTOR_' + (err || 'UNKNOWN'));
      const classify = localClassify(policy());
      done({ byAddress: addresses.map(classify), connectorReached: false });
      return;
    }
    let all = results;
    if (addresses.length > CLASSIFY_BATCH_MAX) {
      const classify = localClassify(policy());
      all = results.concat(addresses.slice(CLASSIFY_BATCH_MAX).map(classify));
    }
    done({ byAddress: all, connectorReached: true });
  });
}

/** Options of the handlers, with their defaults (STYLE.md rule 6): see {@link ConnectorOptions}. */
export type HandlerOptions = ConnectorOptions;

/** The three handlers, over injectable connector options. */
export interface Handlers {
  onMessageSendHandler(event: LaunchEvent): void;
  onMessageRecipientsChangedHandler(event: LaunchEvent): void;
  onMessageAttachmentsChangedHandler(event: LaunchEvent): void;
}

/** Builds the handlers. The module's own (associated below) use the defaults: global fetch, connectorOrigin(). */
export function createHandlers(opts: HandlerOptions = {}): Handlers {
  let infoSequence = 0;

  function onMessageSendHandler(event: LaunchEvent): void {
    const handler = HANDLER_NAMES.send;
    const complete = completeOnce(event, handler);
    const fail = function (e: StepError) {
      logIssue(handler, 'STEP_FAILED_' + e.step.toUpperCase(), e.error);
      complete(failureOptions(e.step));
    };
    try {
      const item = Office.context.mailbox.item as Office.MessageCompose;
      if (!item) throw new Error('no item');
      const g: Gathered = { recipients: { to: [], cc: [], bcc: [] }, subject: '', bodyText: '', attachmentNames: [], markers: [] };
      let policy: PolicyInfo | undefined;
      let classified: Classified | undefined;
      const currentPolicy = function (): PolicyInfo {
        return policy || cachedPolicy().info;
      };

      const recipientsThenClassify: Task<StepError> = function (cb) {
        parallel(readRecipientsTasks(item, g), toStepError('to'), function (err) {
          if (err) {
            cb(err);
            return;
          }
          const list = flatAddresses(g);
          classifyAll(
            opts,
            handler,
            list.map(function (x) {
              return x.address;
            }),
            currentPolicy,
            function (c) {
              classified = c;
              cb();
            },
          );
        });
      };
      const policyTask: Task<StepError> = function (cb) {
        fetchPolicy(opts, function (err, info) {
          if (info) {
            policy = info;
            cachePolicy(info);
          } else {
            logIssue(handler, 'POLICY_' + (err || 'UNKNOWN'));
            policy = cachedPolicy().info;
          }
          cb();
        });
      };
      const tasks: Task<StepError>[] = [
        recipientsThenClassify,
        officeRead<string>(
          'subject',
          function (cb) {
            item.subject.getAsync(cb);
          },
          function (v) {
            g.subject = v || '';
          },
        ),
        officeRead<string>(
          'body',
          function (cb) {
            item.body.getAsync(Office.CoercionType.Text, cb);
          },
          function (v) {
            g.bodyText = v || '';
          },
        ),
        readAttachmentsTask(item, g),
        readMarkersTask(item, g),
        policyTask,
      ];
      parallel(tasks, toStepError('start'), function (err) {
        if (err) {
          fail(err);
          return;
        }
        try {
          const c = classified as Classified;
          const list = flatAddresses(g);
          const recipients: CandidateRecipient[] = list.map(function (x, i) {
            return { field: x.field, classification: c.byAddress[i] };
          });
          const verdict = evaluateSend(
            {
              recipients,
              content: { subject: g.subject, bodyText: g.bodyText, attachmentNames: g.attachmentNames, markers: g.markers },
              connectorUnreachable: !c.connectorReached,
            },
            currentPolicy().policy,
          );
          complete(completedOptionsFor(verdict, isSetSupported('1.15'), c.connectorReached));
        } catch (e) {
          fail({ step: 'check', error: e });
        }
      });
    } catch (err) {
      fail({ step: 'start', error: err });
    }
  }

  /** Shared by the recipients- and attachments-changed events: refresh the one info bar. */
  function refreshInfoBar(event: LaunchEvent, handler: string): void {
    const complete = completeOnce(event, handler);
    const sequence = ++infoSequence;
    const finish = function () {
      complete();
    };
    try {
      const item = Office.context.mailbox.item as Office.MessageCompose;
      if (!item || !item.notificationMessages) throw new Error('no item');
      const g: Gathered = { recipients: { to: [], cc: [], bcc: [] }, subject: '', bodyText: '', attachmentNames: [], markers: [] };
      let classified: Classified | undefined;
      let policy: PolicyInfo | undefined;
      const currentPolicy = function (): PolicyInfo {
        return policy || cachedPolicy().info;
      };
      const tasks: Task<StepError>[] = [
        function (cb) {
          parallel(readRecipientsTasks(item, g), toStepError('to'), function (err) {
            if (err) {
              cb(err);
              return;
            }
            classifyAll(
              opts,
              handler,
              flatAddresses(g).map(function (x) {
                return x.address;
              }),
              currentPolicy,
              function (c) {
                classified = c;
                cb();
              },
            );
          });
        },
        readAttachmentsTask(item, g),
        function (cb) {
          fetchPolicy(opts, function (_err, info) {
            if (info) {
              policy = info;
              cachePolicy(info);
            }
            cb();
          });
        },
      ];
      parallel(tasks, toStepError('start'), function (err) {
        if (err) {
          // An informational bar: nothing to block. Log, leave the bar as it is, complete.
          logIssue(handler, 'STEP_FAILED_' + err.step.toUpperCase(), err.error);
          finish();
          return;
        }
        try {
          if (sequence !== infoSequence) {
            finish(); // a newer change is being handled: it writes the bar
            return;
          }
          const c = classified as Classified;
          const healthAttachment = g.attachmentNames.length > 0 && detectHealthData({ attachmentNames: g.attachmentNames }).healthData;
          const text = recipientsInfoText(summariseRecipients(c.byAddress), { localOnly: !c.connectorReached, healthAttachment });
          writeInfoBar(item, text, handler, finish);
        } catch (e) {
          logIssue(handler, 'STEP_FAILED_CHECK', e);
          finish();
        }
      });
    } catch (err) {
      logIssue(handler, 'STEP_FAILED_START', err);
      finish();
    }
  }

  return {
    onMessageSendHandler,
    onMessageRecipientsChangedHandler: function (event: LaunchEvent) {
      refreshInfoBar(event, HANDLER_NAMES.recipientsChanged);
    },
    onMessageAttachmentsChangedHandler: function (event: LaunchEvent) {
      refreshInfoBar(event, HANDLER_NAMES.attachmentsChanged);
    },
  };
}

function toStepError(step: Step): (err: unknown) => StepError {
  return function (error) {
    return { step, error };
  };
}

/**
 * Replaces the one info bar (replaceAsync adds it when absent), or removes it when there is nothing to say (a
 * missing key is fine). InformationalMessage requires `icon` (a manifest image resid) and `persistent`.
 */
function writeInfoBar(item: Office.MessageCompose, text: string | undefined, handler: string, done: () => void): void {
  try {
    if (text === undefined) {
      item.notificationMessages.removeAsync(INFO_BAR_KEY, function () {
        done(); // NotificationKeyNotFound when there was no bar: nothing to remove
      });
      return;
    }
    item.notificationMessages.replaceAsync(
      INFO_BAR_KEY,
      {
        type: Office.MailboxEnums.ItemNotificationMessageType.InformationalMessage,
        message: text,
        icon: 'Icon.16x16',
        persistent: false,
      },
      function (result) {
        if (result && result.status !== Office.AsyncResultStatus.Succeeded) logIssue(handler, 'INFO_BAR_FAILED', result.error);
        done();
      },
    );
  } catch (err) {
    logIssue(handler, 'INFO_BAR_FAILED', err);
    done();
  }
}

const handlers = createHandlers();
/** OnMessageSend (manifest FunctionName "onMessageSendHandler"). */
export const onMessageSendHandler = handlers.onMessageSendHandler;
/** OnMessageRecipientsChanged (manifest FunctionName "onMessageRecipientsChangedHandler"). */
export const onMessageRecipientsChangedHandler = handlers.onMessageRecipientsChangedHandler;
/** OnMessageAttachmentsChanged (manifest FunctionName "onMessageAttachmentsChangedHandler"). */
export const onMessageAttachmentsChangedHandler = handlers.onMessageAttachmentsChangedHandler;

// Outlook finds each handler by the manifest FunctionName (OUTLOOK.md §1.4): one top-level associate line each;
// forgetting one blocks every send under SoftBlock. Guarded so that node tests can load this file as a module.
if (typeof Office !== 'undefined') {
  Office.actions.associate('onMessageSendHandler', onMessageSendHandler);
  Office.actions.associate('onMessageRecipientsChangedHandler', onMessageRecipientsChangedHandler);
  Office.actions.associate('onMessageAttachmentsChangedHandler', onMessageAttachmentsChangedHandler);
}
