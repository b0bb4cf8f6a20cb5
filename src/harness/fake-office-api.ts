// Runtime: browser (harness iframes) and node tests. A fake of the subset of Office.js the add-in uses, backed by a
// FakeMailbox. Faithful where the add-in could tell the difference (checked against @microsoft/office-js 1.1.110,
// dist/outlook-web-16.01.debug.js, and @types/office-js 1.0.612):
//  - every `*Async` takes `(…args, options?, callback?)` exactly like Office's `parseCommonArgs`: one trailing
//    function is the callback, one object the options, both in that order; getters require the callback;
//  - callbacks run asynchronously with `{status, value, error, asyncContext, diagnostics}`; `asyncContext` is
//    `options.asyncContext`;
//  - argument errors throw synchronously (Sys.ArgumentOutOfRangeException for more than 100 recipients per call, a
//    subject over 255 characters, a notification key over 32 or message over 150 characters), host errors come back
//    as `status: "failed"` with Office's own error names and codes (NumberOfNotificationsExceeded 9025, KeyNotFound
//    9050, SessionObjectMaxLengthExceeded 9051…), and any call can be made to fail with FakeMailbox.failOn;
//  - in read mode item.to / item.cc are arrays and item.subject a string; bcc, sessionData, getComposeTypeAsync do not
//    exist there;
//  - values are deep-copied into the caller's realm (the task pane iframe gets its own arrays, as from Office).
import type {
  FakeField,
  FakeMailbox,
  FakeMailboxState,
  FakeNotification,
  FakeOfficeError,
  FakeRecipientInput,
  MailboxChange,
} from './fake-mailbox';
import { officeError } from './fake-mailbox';

/* eslint-disable @typescript-eslint/no-explicit-any -- a dynamic fake of a dynamic API */
type Callback = (result: any) => void;
type AnyFn = (...args: any[]) => any;

export const ASYNC_RESULT_STATUS = { Succeeded: 'succeeded', Failed: 'failed' } as const;
export const EVENT_TYPES = {
  RecipientsChanged: 'olkRecipientsChanged',
  AttachmentsChanged: 'olkAttachmentsChanged',
  ItemChanged: 'olkItemSelectedChanged',
  OfficeThemeChanged: 'officeThemeChanged',
  DialogMessageReceived: 'dialogMessageReceived',
  DialogEventReceived: 'dialogEventReceived',
} as const;

/** postMessage envelope of the fake Dialog API (a dialog page's messageParent → the page that opened it). */
export const FAKE_DIALOG_MESSAGE = 'mss-fake-office-dialog';

export const MAILBOX_ENUMS = {
  RecipientType: { DistributionList: 'distributionList', User: 'user', ExternalUser: 'externalUser', Other: 'other' },
  ItemNotificationMessageType: {
    ProgressIndicator: 'progressIndicator',
    InformationalMessage: 'informationalMessage',
    ErrorMessage: 'errorMessage',
    InsightMessage: 'insightMessage',
  },
  SendModeOverride: { PromptUser: 'promptUser' },
  ComposeType: { NewMail: 'newMail', Reply: 'reply', Forward: 'forward' },
  ItemType: { Message: 'message', Appointment: 'appointment' },
  AttachmentType: { File: 'file', Item: 'item', Cloud: 'cloud' },
  BodyType: { Html: 'html', Text: 'text' },
  ActionType: { ShowTaskPane: 'showTaskPane' },
} as const;

/** Per-item sessionData limit up to Mailbox 1.15 (OUTLOOK.md §1.7). */
export const SESSION_DATA_MAX_CHARS = 50_000;
const MAX_RECIPIENTS_PER_CALL = 100;
const MAX_SUBJECT = 255;
const MAX_NOTIFICATION_KEY = 32;
const MAX_NOTIFICATION_MESSAGE = 150;
const MAX_NOTIFICATIONS = 5;
/** body.setAsync limit (d.ts: 1 000 000 characters). */
const MAX_BODY = 1_000_000;

export interface FakeOfficeOptions {
  /** Host platform reported by onReady. Default `OfficeOnline` (Outlook on the web). */
  readonly platform?: 'OfficeOnline' | 'PC' | 'Mac';
  /** Runs a callback later. Default `setTimeout(fn, 0)`, as Office answers asynchronously. */
  readonly schedule?: (fn: () => void) => void;
}

/** What createFakeOffice returns: the `Office` object, the handlers associated with it, and a disposer. */
export interface FakeOfficeHandle {
  readonly office: any;
  /** Functions registered with Office.actions.associate, by action id. */
  readonly handlers: Map<string, AnyFn>;
  /** Stops listening to the mailbox (the iframe is unloading). */
  dispose(): void;
}

function argumentError(name: string, message: string, paramName?: string): Error {
  const err = new Error(`${name}: ${message}${paramName ? `\nParameter name: ${paramName}` : ''}`);
  err.name = name;
  return err;
}

/** Office's parseCommonArgs: `[]`, `[callback]`, `[options]` or `[options, callback]`. */
function parseCommonArgs(args: unknown[], callbackRequired: boolean): { options?: any; callback?: Callback } {
  let options: any;
  let callback: Callback | undefined;
  if (args.length === 1) {
    if (typeof args[0] === 'function') callback = args[0] as Callback;
    else if (args[0] && typeof args[0] === 'object') options = args[0];
    else throw argumentError('Sys.ArgumentTypeException', 'Object cannot be converted to the required type.');
  } else if (args.length === 2) {
    if (typeof args[0] !== 'object') throw argumentError('Sys.ArgumentException', 'Value does not fall within the expected range.', 'options');
    if (typeof args[1] !== 'function') throw argumentError('Sys.ArgumentException', 'Value does not fall within the expected range.', 'callback');
    options = args[0];
    callback = args[1] as Callback;
  } else if (args.length !== 0) {
    throw argumentError('Sys.ParameterCountException', 'The given parameters do not match the expected format.');
  }
  if (callbackRequired && !callback) throw argumentError('Sys.ArgumentNullException', 'Value cannot be null.', 'callback');
  return { options, callback };
}

function outOfRange(paramName: string, actual?: number): Error {
  return argumentError(
    'Sys.ArgumentOutOfRangeException',
    `Specified argument was out of the range of valid values.${actual !== undefined ? `\nActual value was ${actual}.` : ''}`,
    paramName,
  );
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Creates a fake `Office` over `mailbox`. It behaves like Outlook on the web with the Mailbox requirement set of
 * `mailbox.state.mailboxVersion`.
 */
export function createFakeOffice(mailbox: FakeMailbox, opts: FakeOfficeOptions = {}): FakeOfficeHandle {
  const schedule = opts.schedule ?? ((fn: () => void) => void setTimeout(fn, 0));
  const platform = opts.platform ?? 'OfficeOnline';
  const handlers = new Map<string, AnyFn>();
  const eventHandlers = new Map<string, AnyFn[]>();
  let unsubscribe: (() => void) | undefined;

  /** Answers one call: a failure injected with failOn, else `compute()` (which may return a host error). */
  function answer(operation: string, args: unknown[], callbackRequired: boolean, compute: () => { value?: unknown; error?: FakeOfficeError }) {
    const { options, callback } = parseCommonArgs(args, callbackRequired);
    const injected = mailbox.takeFailure(operation);
    const outcome = injected ? { error: injected } : compute();
    const asyncContext = options ? options.asyncContext : undefined;
    if (!callback) return;
    schedule(() => {
      if (outcome.error) {
        callback({
          status: ASYNC_RESULT_STATUS.Failed,
          value: undefined,
          error: { name: outcome.error.name, message: outcome.error.message, code: outcome.error.code },
          asyncContext,
          diagnostics: undefined,
        });
      } else {
        callback({ status: ASYNC_RESULT_STATUS.Succeeded, value: clone(outcome.value), error: undefined, asyncContext, diagnostics: undefined });
      }
    });
  }

  const state = (): FakeMailboxState => mailbox.state;
  const requireCompose = (operation: string) => {
    if (state().mode !== 'compose') throw argumentError('Sys.InvalidOperationException', `${operation} n'existe qu'en rédaction.`);
  };

  function validateRecipients(list: unknown): FakeRecipientInput[] {
    if (!Array.isArray(list)) throw argumentError('Sys.ArgumentException', 'Value does not fall within the expected range.', 'recipients');
    if (list.length > MAX_RECIPIENTS_PER_CALL) throw outOfRange('recipients', list.length);
    return list.map((r) => {
      if (typeof r === 'string') return r;
      if (r && typeof r === 'object' && typeof r.emailAddress === 'string') {
        if (typeof r.displayName === 'string' && r.displayName.length > 255) throw outOfRange('displayName');
        return { emailAddress: r.emailAddress, displayName: typeof r.displayName === 'string' ? r.displayName : undefined };
      }
      throw argumentError('Sys.ArgumentException', 'Value does not fall within the expected range.', 'recipients');
    });
  }

  function recipientsSurface(field: FakeField) {
    return {
      getAsync: (...args: unknown[]) => answer(`${field}.getAsync`, args, true, () => ({ value: state()[field] })),
      setAsync: (recipients: unknown, ...args: unknown[]) => {
        const list = validateRecipients(recipients);
        answer(`${field}.setAsync`, args, false, () => {
          mailbox.setRecipients(field, list);
          return {};
        });
      },
      addAsync: (recipients: unknown, ...args: unknown[]) => {
        const list = validateRecipients(recipients);
        answer(`${field}.addAsync`, args, false, () => {
          mailbox.addRecipients(field, list);
          return {};
        });
      },
    };
  }

  function sessionDataLength(data: Readonly<Record<string, string>>): number {
    return Object.entries(data).reduce((n, [k, v]) => n + k.length + v.length, 0);
  }

  const notificationMessages = {
    addAsync: (key: string, details: any, ...args: unknown[]) => {
      validateNotification(key, details);
      answer('notificationMessages.addAsync', args, false, () => {
        const list = state().notificationMessages;
        if (list.some((n) => n.key === key)) return { error: officeError('DuplicateNotificationKey') };
        if (list.length >= MAX_NOTIFICATIONS) return { error: officeError('NumberOfNotificationsExceeded') };
        mailbox.setNotifications([...list, toNotification(key, details)]);
        return {};
      });
    },
    replaceAsync: (key: string, details: any, ...args: unknown[]) => {
      validateNotification(key, details);
      answer('notificationMessages.replaceAsync', args, false, () => {
        const list = state().notificationMessages.filter((n) => n.key !== key);
        if (list.length >= MAX_NOTIFICATIONS) return { error: officeError('NumberOfNotificationsExceeded') };
        mailbox.setNotifications([...list, toNotification(key, details)]);
        return {};
      });
    },
    removeAsync: (key: string, ...args: unknown[]) =>
      answer('notificationMessages.removeAsync', args, false, () => {
        const list = state().notificationMessages;
        if (!list.some((n) => n.key === key)) return { error: officeError('NotificationKeyNotFound') };
        mailbox.setNotifications(list.filter((n) => n.key !== key));
        return {};
      }),
    getAllAsync: (...args: unknown[]) =>
      answer('notificationMessages.getAllAsync', args, true, () => ({ value: state().notificationMessages })),
  };

  function validateNotification(key: unknown, details: any) {
    if (typeof key !== 'string' || key.length === 0) throw argumentError('Sys.ArgumentNullException', 'Value cannot be null.', 'key');
    if (key.length > MAX_NOTIFICATION_KEY) throw outOfRange('key', key.length);
    if (!details || typeof details !== 'object') throw argumentError('Sys.ArgumentNullException', 'Value cannot be null.', 'JSONmessage');
    const type = details.type;
    if (!Object.values(MAILBOX_ENUMS.ItemNotificationMessageType).includes(type)) throw argumentError('Sys.ArgumentException', 'Value does not fall within the expected range.', 'type');
    if (type !== MAILBOX_ENUMS.ItemNotificationMessageType.ProgressIndicator || details.message !== undefined) {
      if (typeof details.message !== 'string') throw argumentError('Sys.ArgumentNullException', 'Value cannot be null.', 'message');
      if (details.message.length > MAX_NOTIFICATION_MESSAGE) throw outOfRange('message', details.message.length);
    }
  }

  function toNotification(key: string, details: any): FakeNotification {
    return { key, type: details.type, message: details.message ?? '', icon: details.icon, persistent: details.persistent };
  }

  const sessionData = {
    setAsync: (name: string, value: string, ...args: unknown[]) => {
      requireCompose('sessionData.setAsync');
      if (typeof name !== 'string' || typeof value !== 'string') throw argumentError('Sys.ArgumentException', 'Value does not fall within the expected range.', 'name');
      answer('sessionData.setAsync', args, false, () => {
        const next = { ...state().sessionData, [name]: value };
        if (compareVersions(state().mailboxVersion, '1.15') <= 0 && sessionDataLength(next) > SESSION_DATA_MAX_CHARS) {
          return { error: officeError('SessionObjectMaxLengthExceeded') };
        }
        mailbox.setSessionData(next);
        return {};
      });
    },
    getAsync: (name: string, ...args: unknown[]) => {
      requireCompose('sessionData.getAsync');
      answer('sessionData.getAsync', args, true, () =>
        Object.prototype.hasOwnProperty.call(state().sessionData, name)
          ? { value: state().sessionData[name] }
          : { error: officeError('KeyNotFound') },
      );
    },
    getAllAsync: (...args: unknown[]) => {
      requireCompose('sessionData.getAllAsync');
      answer('sessionData.getAllAsync', args, true, () => ({ value: state().sessionData }));
    },
    removeAsync: (name: string, ...args: unknown[]) => {
      requireCompose('sessionData.removeAsync');
      answer('sessionData.removeAsync', args, false, () => {
        const next = { ...state().sessionData };
        delete next[name];
        mailbox.setSessionData(next);
        return {};
      });
    },
    clearAsync: (...args: unknown[]) => {
      requireCompose('sessionData.clearAsync');
      answer('sessionData.clearAsync', args, false, () => {
        mailbox.setSessionData({});
        return {};
      });
    },
  };

  function bodyGetAsync(coercionType: unknown, ...args: unknown[]) {
    if (coercionType !== 'text' && coercionType !== 'html') throw argumentError('Sys.ArgumentException', 'Value does not fall within the expected range.', 'coercionType');
    answer('body.getAsync', args, true, () => ({
      value: coercionType === 'text' ? state().body : (state().bodyHtml ?? `<html><body><div>${escapeHtml(state().body).replace(/\n/g, '<br>')}</div></body></html>`),
    }));
  }

  function onMailboxChange(change: MailboxChange) {
    if (change.type === 'recipients') {
      const { to, cc, bcc } = change.fields;
      if (!to && !cc && !bcc) return;
      const args = {
        type: EVENT_TYPES.RecipientsChanged,
        changedRecipientFields: { to, cc, bcc, requiredAttendees: false, optionalAttendees: false, resources: false },
      };
      for (const h of eventHandlers.get(EVENT_TYPES.RecipientsChanged) ?? []) schedule(() => h(clone(args)));
    } else if (change.type === 'attachments') {
      const args = { type: EVENT_TYPES.AttachmentsChanged, attachmentStatus: 'changed', attachmentDetails: undefined };
      for (const h of eventHandlers.get(EVENT_TYPES.AttachmentsChanged) ?? []) schedule(() => h(clone(args)));
    } else if (change.type === 'theme') {
      // Office.OfficeThemeChangedEventArgs: { type, officeTheme }
      const args = { type: EVENT_TYPES.OfficeThemeChanged, officeTheme: officeTheme() };
      for (const h of mailboxEventHandlers.get(EVENT_TYPES.OfficeThemeChanged) ?? []) schedule(() => h(clone(args)));
    }
  }

  /** Office.context.officeTheme of the current state. */
  function officeTheme() {
    const dark = state().darkTheme === true;
    return {
      bodyBackgroundColor: dark ? '#1f1f1f' : '#ffffff',
      bodyForegroundColor: dark ? '#ffffff' : '#242424',
      controlBackgroundColor: dark ? '#292929' : '#ffffff',
      controlForegroundColor: dark ? '#ffffff' : '#242424',
    };
  }

  // Handlers registered on Office.context.mailbox (not on the item): OfficeThemeChanged.
  const mailboxEventHandlers = new Map<string, AnyFn[]>();
  const mailboxEvents: string[] = [EVENT_TYPES.OfficeThemeChanged];

  function listen() {
    if (!unsubscribe) unsubscribe = mailbox.subscribe(onMailboxChange);
  }

  const supportedEvents: string[] = [EVENT_TYPES.RecipientsChanged, EVENT_TYPES.AttachmentsChanged];

  const composeItem = {
    itemType: MAILBOX_ENUMS.ItemType.Message,
    to: recipientsSurface('to'),
    cc: recipientsSurface('cc'),
    bcc: recipientsSurface('bcc'),
    subject: {
      getAsync: (...args: unknown[]) => answer('subject.getAsync', args, true, () => ({ value: state().subject })),
      setAsync: (subject: unknown, ...args: unknown[]) => {
        if (typeof subject !== 'string') throw argumentError('Sys.ArgumentTypeException', 'Object cannot be converted to the required type.', 'subject');
        if (subject.length > MAX_SUBJECT) throw outOfRange('subject', subject.length);
        answer('subject.setAsync', args, false, () => {
          mailbox.setSubject(subject);
          return {};
        });
      },
    },
    body: {
      getAsync: bodyGetAsync,
      getTypeAsync: (...args: unknown[]) => answer('body.getTypeAsync', args, true, () => ({ value: state().bodyHtml === undefined ? 'text' : 'html' })),
      // body.setAsync(data, {coercionType}, cb) (Mailbox 1.3): coercionType defaults to text; writing HTML into a
      // plain-text item is refused by Outlook (InvalidBodyFormat... here InvalidParameterValueError), text into an HTML
      // item becomes escaped HTML. Over 1 000 000 characters → DataExceedsMaximumSize.
      setAsync: (data: unknown, ...args: unknown[]) => {
        if (typeof data !== 'string') throw argumentError('Sys.ArgumentTypeException', 'Object cannot be converted to the required type.', 'data');
        const { options } = parseCommonArgs(args, false);
        const coercionType = options?.coercionType ?? 'text';
        if (coercionType !== 'text' && coercionType !== 'html') throw argumentError('Sys.ArgumentException', 'Value does not fall within the expected range.', 'coercionType');
        answer('body.setAsync', args, false, () => {
          if (data.length > MAX_BODY) return { error: officeError('DataExceedsMaximumSize') };
          if (coercionType === 'html') {
            if (state().bodyHtml === undefined) return { error: officeError('InvalidParameterValueError', 'Le corps est en texte brut : il ne peut pas recevoir du HTML.') };
            mailbox.setBodyHtml(data);
          } else {
            mailbox.setBody(data);
          }
          return {};
        });
      },
    },
    getAttachmentsAsync: (...args: unknown[]) =>
      answer('getAttachmentsAsync', args, true, () => ({ value: state().attachments.map(({ contentType: _c, contentBase64: _b, ...a }) => a) })),
    getAttachmentContentAsync: (id: unknown, ...args: unknown[]) =>
      answer('getAttachmentContentAsync', args, true, () => {
        const a = state().attachments.find((x) => x.id === id);
        if (!a) return { error: officeError('InvalidParameterValueError', 'Pièce jointe introuvable.') };
        return { value: { format: 'base64', content: a.contentBase64 ?? '' } };
      }),
    // closeAsync({discardItem}) (Mailbox 1.14): with discardItem the draft is discarded without a dialog; without it,
    // the fake answers as if the user cancelled the save dialog.
    closeAsync: (...args: unknown[]) => {
      const { options } = parseCommonArgs(args, false);
      answer('closeAsync', args, false, () => {
        if (compareVersions(state().mailboxVersion, '1.14') < 0) return { error: officeError('InvalidParameterValueError', 'closeAsync demande Mailbox 1.14.') };
        if (!options || options.discardItem !== true) return { error: officeError('InvalidParameterValueError', 'The operation was cancelled by the user') };
        mailbox.discardDraft();
        return {};
      });
    },
    getComposeTypeAsync: (...args: unknown[]) =>
      answer('getComposeTypeAsync', args, true, () => ({ value: { composeType: state().composeType, coercionType: 'text' } })),
    notificationMessages,
    sessionData,
    addHandlerAsync: (eventType: string, handler: AnyFn, ...args: unknown[]) => {
      if (typeof handler !== 'function') throw argumentError('Sys.ArgumentNullException', 'Value cannot be null.', 'handler');
      answer('addHandlerAsync', args, false, () => {
        if (!supportedEvents.includes(eventType)) return { error: officeError('InvalidParameterValueError', `eventType non pris en charge : ${eventType}`) };
        eventHandlers.set(eventType, [...(eventHandlers.get(eventType) ?? []), handler]);
        listen();
        return {};
      });
    },
    // Office.js removes every handler of the event type (there is no handler argument).
    removeHandlerAsync: (eventType: string, ...args: unknown[]) =>
      answer('removeHandlerAsync', args, false, () => {
        eventHandlers.delete(eventType);
        return {};
      }),
  };

  const readItem = {
    itemType: MAILBOX_ENUMS.ItemType.Message,
    get to() {
      return clone(state().to);
    },
    get cc() {
      return clone(state().cc);
    },
    get from() {
      return clone(state().from);
    },
    get sender() {
      return clone(state().from);
    },
    get subject() {
      return state().subject;
    },
    get normalizedSubject() {
      return state().subject.replace(/^((re|tr|fw|fwd)\s*:\s*)+/i, '');
    },
    get attachments() {
      return clone(state().attachments);
    },
    itemId: 'AAMkAD-fake-read-item',
    internetMessageId: '<fake-read-item@harness.mss-outlook.invalid>',
    body: { getAsync: bodyGetAsync, getTypeAsync: composeItem.body.getTypeAsync },
    getAttachmentContentAsync: composeItem.getAttachmentContentAsync,
    notificationMessages,
    addHandlerAsync: composeItem.addHandlerAsync,
    removeHandlerAsync: composeItem.removeHandlerAsync,
  };

  const userProfile = {
    get emailAddress() {
      return state().user.emailAddress;
    },
    get displayName() {
      return state().user.displayName;
    },
    timeZone: 'Romance Standard Time',
    accountType: 'enterprise',
  };

  const roaming: Record<string, unknown> = {};
  let openDialog: { close(): void } | undefined;
  const context = {
    host: 'Outlook',
    platform,
    get displayLanguage() {
      return state().displayLanguage;
    },
    get contentLanguage() {
      return state().displayLanguage;
    },
    // Office.context.officeTheme (Mailbox 1.1 on desktop): Outlook's dark theme when the harness state says so.
    get officeTheme() {
      return officeTheme();
    },
    diagnostics: { host: 'Outlook', platform, version: '16.0.0.0' },
    // Mailbox up to the simulated version, DialogApi 1.2; NestedAppAuth is NOT supported (as in Outlook on the web
    // with a non-Microsoft identity provider): the pane takes its Office dialog fallback.
    requirements: {
      isSetSupported: (name: string, minVersion?: string) =>
        name === 'Mailbox'
          ? compareVersions(state().mailboxVersion, minVersion ?? '1.1') >= 0
          : name === 'DialogApi'
            ? compareVersions('1.2', minVersion ?? '1.1') >= 0
            : false,
    },
    ui: {
      /**
       * Office.context.ui.displayDialogAsync (DialogApi 1.1): the page opens in a hidden same-origin iframe (Outlook
       * shows a window); it answers with messageParent. Only same-origin https/http URLs, like Office (the start page
       * must be in the add-in's domain). Errors 12004 (bad domain) and 12007 (one dialog at a time) as in Office.
       */
      displayDialogAsync: (url: unknown, ...args: unknown[]) => {
        if (typeof url !== 'string') throw argumentError('Sys.ArgumentException', 'Value does not fall within the expected range.', 'startAddress');
        const { options, callback } = parseCommonArgs(args, false);
        const asyncContext = options ? options.asyncContext : undefined;
        const fail = (code: number, message: string) =>
          callback && schedule(() => callback({ status: ASYNC_RESULT_STATUS.Failed, value: undefined, error: { name: 'Dialog', code, message }, asyncContext }));
        if (typeof document === 'undefined') return fail(12002, 'Pas de document : la boîte de dialogue ne peut pas s’ouvrir.');
        const target = new URL(url, window.location.href);
        if (target.origin !== window.location.origin) return fail(12004, 'Le domaine de l’URL n’est pas dans AppDomains.');
        if (openDialog) return fail(12007, 'Une boîte de dialogue est déjà ouverte.');
        const frame = document.createElement('iframe');
        frame.hidden = true;
        frame.title = 'Boîte de dialogue Office (simulée)';
        frame.src = target.href;
        const handlers = new Map<string, AnyFn[]>();
        const onMessage = (event: MessageEvent) => {
          const data = event.data as { type?: unknown; message?: unknown } | null;
          if (event.source !== frame.contentWindow || !data || data.type !== FAKE_DIALOG_MESSAGE) return;
          for (const h of handlers.get(EVENT_TYPES.DialogMessageReceived) ?? []) h({ message: String(data.message), origin: event.origin });
        };
        const dialog = {
          addEventHandler(type: string, handler: AnyFn) {
            handlers.set(type, [...(handlers.get(type) ?? []), handler]);
          },
          close() {
            window.removeEventListener('message', onMessage);
            frame.remove();
            openDialog = undefined;
          },
          messageChild(message: string) {
            frame.contentWindow?.postMessage({ type: FAKE_DIALOG_MESSAGE, message }, window.location.origin);
          },
        };
        openDialog = dialog;
        window.addEventListener('message', onMessage);
        document.body.appendChild(frame);
        if (callback) schedule(() => callback({ status: ASYNC_RESULT_STATUS.Succeeded, value: dialog, error: undefined, asyncContext }));
      },
      /** In a dialog page: sends a string to the page that opened it (DialogApi 1.1). */
      messageParent: (message: unknown) => {
        if (typeof window === 'undefined' || window.parent === window) return;
        window.parent.postMessage({ type: FAKE_DIALOG_MESSAGE, message: String(message) }, window.location.origin);
      },
    },
    roamingSettings: {
      get: (k: string) => roaming[k],
      set: (k: string, v: unknown) => {
        roaming[k] = v;
      },
      remove: (k: string) => {
        delete roaming[k];
      },
      saveAsync: (...args: unknown[]) => answer('roamingSettings.saveAsync', args, false, () => ({})),
    },
    mailbox: {
      get item() {
        return state().mode === 'read' ? readItem : composeItem;
      },
      userProfile,
      diagnostics: { hostName: 'OutlookWebApp', hostVersion: '16.0', OWAView: 'ThreeColumns' },
      restUrl: 'https://outlook.invalid/api',
      ewsUrl: 'https://outlook.invalid/EWS/Exchange.asmx',
      // Mailbox 1.9, READ mode only (d.ts "Applicable Outlook mode: Read"): in compose the fake, like Outlook, has no
      // way to open a second compose form from the add-in.
      displayNewMessageFormAsync: (form: any, ...args: unknown[]) => {
        if (!form || typeof form !== 'object') throw argumentError('Sys.ArgumentNullException', 'Value cannot be null.', 'parameters');
        const to = Array.isArray(form.toRecipients) ? form.toRecipients : [];
        if (to.length > MAX_RECIPIENTS_PER_CALL) throw outOfRange('toRecipients', to.length);
        answer('displayNewMessageFormAsync', args, false, () => {
          if (state().mode !== 'read') return { error: officeError('InvalidParameterValueError', 'displayNewMessageFormAsync n’existe qu’en lecture.') };
          mailbox.openNewMessageForm({
            toRecipients: to.map((r: unknown) => (typeof r === 'string' ? r : String((r as { emailAddress?: unknown }).emailAddress))),
            ...(typeof form.subject === 'string' ? { subject: form.subject } : {}),
          });
          return {};
        });
      },
      // Mailbox.addHandlerAsync / removeHandlerAsync: OfficeThemeChanged (Outlook on Windows and new Outlook raise it
      // on the mailbox when the user switches theme); other types fail like Office (InvalidParameterValueError).
      addHandlerAsync: (eventType: string, handler: AnyFn, ...args: unknown[]) => {
        if (typeof handler !== 'function') throw argumentError('Sys.ArgumentNullException', 'Value cannot be null.', 'handler');
        answer('mailbox.addHandlerAsync', args, false, () => {
          if (!mailboxEvents.includes(eventType)) return { error: officeError('InvalidParameterValueError', `eventType non pris en charge : ${eventType}`) };
          mailboxEventHandlers.set(eventType, [...(mailboxEventHandlers.get(eventType) ?? []), handler]);
          listen();
          return {};
        });
      },
      removeHandlerAsync: (eventType: string, ...args: unknown[]) =>
        answer('mailbox.removeHandlerAsync', args, false, () => {
          mailboxEventHandlers.delete(eventType);
          return {};
        }),
      convertToRestId: (id: string) => id.replace(/\//g, '-').replace(/\+/g, '_'),
      convertToEwsId: (id: string) => id.replace(/-/g, '/').replace(/_/g, '+'),
    },
  };

  const office: any = {
    HostType: { Outlook: 'Outlook', Word: 'Word', Excel: 'Excel', PowerPoint: 'PowerPoint', OneNote: 'OneNote', Project: 'Project', Access: 'Access' },
    PlatformType: { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac', iOS: 'iOS', Android: 'Android', Universal: 'Universal' },
    AsyncResultStatus: ASYNC_RESULT_STATUS,
    CoercionType: { Text: 'text', Html: 'html', Matrix: 'matrix', Table: 'table', Image: 'image', Ooxml: 'ooxml', SlideRange: 'slideRange', XmlSvg: 'xmlSvg' },
    EventType: EVENT_TYPES,
    MailboxEnums: MAILBOX_ENUMS,
    context,
    actions: {
      associate(actionId: string, fn: AnyFn) {
        handlers.set(actionId, fn);
      },
    },
    initialize: undefined as undefined | ((reason: string) => void),
    onReady(callback?: (info: { host: string; platform: string }) => void) {
      return new Promise((resolve) => {
        schedule(() => {
          const info = { host: 'Outlook', platform };
          if (typeof office.initialize === 'function') office.initialize('inserted');
          if (callback) callback(info);
          resolve(info);
        });
      });
    },
  };

  return {
    office,
    handlers,
    dispose() {
      if (unsubscribe) unsubscribe();
      unsubscribe = undefined;
      eventHandlers.clear();
      mailboxEventHandlers.clear();
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
