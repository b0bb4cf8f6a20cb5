// Runtime: browser (task pane, Outlook on every platform). The one adapter from Office.js callbacks to the
// promise-based MailboxPort. Each Office call is wrapped once, by officeAsync; read and compose items differ
// (OUTLOOK.md §2: in read mode item.to / item.cc are plain arrays and item.subject a string).
import type { RecipientField } from '../../core';
import { openOfficeDialog } from './auth-dialog';
import { luminance } from './host-info';
import {
  COMPOSE_TYPES,
  type AttachmentInfo,
  type BodyFormat,
  type NewMessageForm,
  MailboxPortError,
  type ComposeType,
  type MailboxPort,
  type RecipientInfo,
  type RecipientInput,
  type RecipientsByField,
  type Unsubscribe,
} from './mailbox-port';

type OfficeApi = typeof Office;

/** Office.js caps `setAsync` / `addAsync` at 100 recipients per call (d.ts, Recipients.addAsync: NumberOfRecipientsExceeded). */
export const MAX_RECIPIENTS_PER_CALL = 100;

/**
 * Runs one Office.js `*Async` call and turns its `AsyncResult` into a promise. A failed status rejects with a
 * MailboxPortError that keeps the Office error's name and code.
 */
export function officeAsync<T>(
  office: OfficeApi,
  operation: string,
  call: (callback: (result: Office.AsyncResult<T>) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      call((result) => {
        if (result.status === office.AsyncResultStatus.Succeeded) {
          resolve(result.value);
        } else {
          const error = result.error;
          reject(
            new MailboxPortError(
              'OFFICE_CALL_FAILED',
              `${operation} : ${error?.message ?? 'échec sans détail'}`,
              operation,
              error?.name,
              error?.code,
            ),
          );
        }
      });
    } catch (err) {
      // Some clients throw synchronously (bad arguments, API missing on this item type).
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function toRecipientInfo(r: Office.EmailAddressDetails): RecipientInfo {
  const info: { emailAddress: string; displayName: string; recipientType?: string } = {
    emailAddress: r.emailAddress ?? '',
    displayName: r.displayName ?? r.emailAddress ?? '',
  };
  if (r.recipientType) info.recipientType = String(r.recipientType);
  return info;
}

function toOfficeRecipients(list: readonly RecipientInput[]): Office.EmailUser[] {
  return list.map((r) => ({ emailAddress: r.emailAddress, displayName: r.displayName ?? r.emailAddress }));
}

function isReadItem(item: Office.MessageRead | Office.MessageCompose): item is Office.MessageRead {
  // Compose items expose Recipients objects with getAsync; read items expose arrays (d.ts Office.MessageRead.to).
  return Array.isArray((item as Office.MessageRead).to) || typeof (item as Office.MessageRead).subject === 'string';
}

function readModeError(operation: string): MailboxPortError {
  return new MailboxPortError('READ_MODE', `${operation} n'existe qu'en rédaction.`, operation);
}

/**
 * Builds the MailboxPort over `office.context.mailbox.item` (the item open when the task pane started).
 * Call it after `Office.onReady`. Throws when no mail item is available (add-in opened outside Outlook).
 */
export function createOfficeMailboxPort(office: OfficeApi): MailboxPort {
  const mailbox = office.context?.mailbox;
  const item = mailbox?.item as Office.MessageRead | Office.MessageCompose | null | undefined;
  if (!mailbox || !item) throw new Error('Aucun message Outlook ouvert : le complément doit être lancé depuis Outlook.');
  return isReadItem(item) ? readPort(office, mailbox, item) : composePort(office, mailbox, item);
}

function bodyText(office: OfficeApi, body: Office.Body): Promise<string> {
  return officeAsync<string>(office, 'body.getAsync', (cb) => body.getAsync(office.CoercionType.Text, cb));
}

function coercion(office: OfficeApi, format: BodyFormat): Office.CoercionType {
  return format === 'html' ? office.CoercionType.Html : office.CoercionType.Text;
}

function bodyAs(office: OfficeApi, body: Office.Body, format: BodyFormat): Promise<string> {
  return officeAsync<string>(office, 'body.getAsync', (cb) => body.getAsync(coercion(office, format), cb));
}

function toAttachmentInfo(a: Office.AttachmentDetailsCompose | Office.AttachmentDetails): AttachmentInfo {
  return { id: a.id, name: a.name, size: a.size, isInline: !!a.isInline, attachmentType: String(a.attachmentType) };
}

/** Mailbox.displayNewMessageFormAsync (Mailbox 1.9, read mode: d.ts "Applicable Outlook mode: Read"). */
function displayNewMessage(office: OfficeApi, mailbox: Office.Mailbox, form: NewMessageForm): Promise<void> {
  if (typeof mailbox.displayNewMessageFormAsync !== 'function') {
    return Promise.reject(new MailboxPortError('NOT_SUPPORTED', 'displayNewMessageFormAsync demande Mailbox 1.9.', 'displayNewMessageFormAsync'));
  }
  const params: Office.MessageForm = {
    toRecipients: toOfficeRecipients(form.toRecipients) as unknown as Office.EmailAddressDetails[],
    ...(form.subject !== undefined ? { subject: form.subject } : {}),
    ...(form.htmlBody !== undefined ? { htmlBody: form.htmlBody } : {}),
  };
  return officeAsync<void>(office, 'displayNewMessageFormAsync', (cb) => mailbox.displayNewMessageFormAsync(params, {}, cb));
}

/** Dark when the body background is dark (Office.context.officeTheme, WCAG relative luminance below 0.2). */
function isDark(theme: { bodyBackgroundColor?: string } | undefined): boolean {
  const lum = luminance(theme?.bodyBackgroundColor);
  return lum !== undefined && lum < 0.2;
}

/** What the compose and read ports share: the dialog and Outlook's theme. */
function hostSurface(office: OfficeApi, mailbox: Office.Mailbox): Pick<MailboxPort, 'openDialog' | 'isDarkTheme' | 'onThemeChanged'> {
  // Office.js removes every handler of an event type at once (removeHandlerAsync has no handler argument): ONE Office
  // handler, registered on first use and kept for the port's life, fans out to the listeners; unsubscribing only
  // removes the listener (React StrictMode subscribes, unsubscribes and subscribes again).
  const listeners = new Set<(dark: boolean) => void>();
  let registration: Promise<boolean> | undefined;
  const register = (): Promise<boolean> => {
    // OfficeThemeChanged on the mailbox (Outlook on Windows, new Outlook); elsewhere the theme is read once.
    const type = office.EventType?.OfficeThemeChanged;
    if (!type || typeof mailbox.addHandlerAsync !== 'function') return Promise.resolve(false);
    const handler = (arg: unknown) => {
      const theme = (arg as { officeTheme?: { bodyBackgroundColor?: string } } | undefined)?.officeTheme ?? office.context?.officeTheme;
      const dark = isDark(theme);
      for (const l of Array.from(listeners)) l(dark);
    };
    return officeAsync<void>(office, 'mailbox.addHandlerAsync', (cb) => mailbox.addHandlerAsync(type, handler, cb)).then(
      () => true,
      () => false, // not supported by this client: the theme stays as read at start
    );
  };
  return {
    openDialog: (url) => openOfficeDialog(office, url),
    isDarkTheme: () => {
      try {
        return isDark(office.context?.officeTheme);
      } catch {
        return false;
      }
    },
    async onThemeChanged(listener) {
      listeners.add(listener);
      registration ??= register();
      await registration;
      return () => {
        listeners.delete(listener);
        return Promise.resolve();
      };
    },
  };
}

function composePort(office: OfficeApi, mailbox: Office.Mailbox, item: Office.MessageCompose): MailboxPort {
  const fields: Record<RecipientField, Office.Recipients> = { to: item.to, cc: item.cc, bcc: item.bcc };

  const getField = (field: RecipientField): Promise<RecipientInfo[]> =>
    officeAsync<Office.EmailAddressDetails[]>(office, `${field}.getAsync`, (cb) => fields[field].getAsync(cb)).then(
      (list) => (list ?? []).map(toRecipientInfo),
    );

  const writeField = (field: RecipientField, op: 'setAsync' | 'addAsync', list: readonly RecipientInput[]) => {
    if (list.length > MAX_RECIPIENTS_PER_CALL && op === 'setAsync') {
      // setAsync replaces the field in one call: it cannot be split without losing atomicity.
      return Promise.reject(
        new MailboxPortError('NOT_SUPPORTED', `${field}.setAsync : au plus ${MAX_RECIPIENTS_PER_CALL} destinataires.`, `${field}.setAsync`),
      );
    }
    const recipients = toOfficeRecipients(list);
    if (op === 'setAsync') {
      return officeAsync<void>(office, `${field}.setAsync`, (cb) => fields[field].setAsync(recipients, cb));
    }
    // addAsync: batches of 100, in order (d.ts: "call addAsync repeatedly").
    let chain = Promise.resolve();
    for (let i = 0; i < recipients.length; i += MAX_RECIPIENTS_PER_CALL) {
      const batch = recipients.slice(i, i + MAX_RECIPIENTS_PER_CALL);
      chain = chain.then(() => officeAsync<void>(office, `${field}.addAsync`, (cb) => fields[field].addAsync(batch, cb)));
    }
    return chain;
  };

  // Office.js removes *all* handlers of an event type at once (item.removeHandlerAsync has no handler argument), so
  // one Office handler fans out to the port's listeners and is removed with the last of them.
  const listeners = new Set<() => void>();
  let registration: Promise<void> | undefined;
  let removal: Promise<void> = Promise.resolve();
  const dispatch = () => {
    for (const l of Array.from(listeners)) l();
  };

  return {
    ...hostSurface(office, mailbox),
    mode: 'compose',
    async getRecipients(): Promise<RecipientsByField> {
      const [to, cc, bcc] = await Promise.all([getField('to'), getField('cc'), getField('bcc')]);
      return { to, cc, bcc };
    },
    setRecipients: (field, list) => writeField(field, 'setAsync', list),
    addRecipients: (field, list) => writeField(field, 'addAsync', list),
    getSubject: () => officeAsync<string>(office, 'subject.getAsync', (cb) => item.subject.getAsync(cb)),
    getBodyText: () => bodyText(office, item.body),
    async getAttachmentNames() {
      if (typeof item.getAttachmentsAsync !== 'function') {
        throw new MailboxPortError('NOT_SUPPORTED', 'getAttachmentsAsync demande Mailbox 1.8.', 'getAttachmentsAsync');
      }
      const list = await officeAsync<Office.AttachmentDetailsCompose[]>(office, 'getAttachmentsAsync', (cb) =>
        item.getAttachmentsAsync(cb),
      );
      return (list ?? []).map((a) => a.name);
    },
    getUserEmail: () => Promise.resolve(mailbox.userProfile.emailAddress),
    getBody: (format) => bodyAs(office, item.body, format),
    setBody: (format, content) =>
      officeAsync<void>(office, 'body.setAsync', (cb) => item.body.setAsync(content, { coercionType: coercion(office, format) }, cb)),
    async getBodyType() {
      const type = await officeAsync<Office.CoercionType>(office, 'body.getTypeAsync', (cb) => item.body.getTypeAsync(cb));
      return String(type) === String(office.CoercionType.Html) ? 'html' : 'text';
    },
    async getAttachments() {
      if (typeof item.getAttachmentsAsync !== 'function') {
        throw new MailboxPortError('NOT_SUPPORTED', 'getAttachmentsAsync demande Mailbox 1.8.', 'getAttachmentsAsync');
      }
      const list = await officeAsync<Office.AttachmentDetailsCompose[]>(office, 'getAttachmentsAsync', (cb) => item.getAttachmentsAsync(cb));
      return (list ?? []).map(toAttachmentInfo);
    },
    async getAttachmentBase64(id) {
      const content = await officeAsync<Office.AttachmentContent>(office, 'getAttachmentContentAsync', (cb) => item.getAttachmentContentAsync(id, cb));
      if (String(content.format) !== 'base64') {
        throw new MailboxPortError('NOT_SUPPORTED', `Pièce jointe au format ${String(content.format)} : seules les pièces jointes de type fichier sont prises en charge.`, 'getAttachmentContentAsync');
      }
      return content.content;
    },
    // Compose mode: Outlook has no API to open another compose form from a compose form (d.ts: read mode only).
    displayNewMessage: () =>
      Promise.reject(new MailboxPortError('NOT_SUPPORTED', 'displayNewMessageFormAsync n’existe qu’en lecture.', 'displayNewMessageFormAsync')),
    discardDraft() {
      if (typeof item.closeAsync !== 'function') {
        return Promise.reject(new MailboxPortError('NOT_SUPPORTED', 'closeAsync demande Mailbox 1.14.', 'closeAsync'));
      }
      // discardItem: true closes without the save dialog and removes the draft (also a reply in the Reading Pane).
      return officeAsync<void>(office, 'closeAsync', (cb) => item.closeAsync({ discardItem: true }, cb));
    },
    async onRecipientsChanged(listener: () => void): Promise<Unsubscribe> {
      listeners.add(listener);
      if (!registration) {
        // After a pending removal, or the removal would also drop the new handler.
        registration = removal
          .catch(() => undefined)
          .then(() =>
            officeAsync<void>(office, 'addHandlerAsync', (cb) =>
              item.addHandlerAsync(office.EventType.RecipientsChanged, dispatch, cb),
            ),
          );
        registration.catch(() => {
          registration = undefined;
        });
      }
      try {
        await registration;
      } catch (err) {
        listeners.delete(listener);
        throw err;
      }
      let active = true;
      return async () => {
        if (!active) return;
        active = false;
        listeners.delete(listener);
        if (listeners.size === 0 && registration) {
          registration = undefined;
          removal = officeAsync<void>(office, 'removeHandlerAsync', (cb) =>
            item.removeHandlerAsync(office.EventType.RecipientsChanged, cb),
          );
          await removal;
        }
      };
    },
    async getComposeType(): Promise<ComposeType> {
      if (typeof item.getComposeTypeAsync !== 'function') {
        throw new MailboxPortError('NOT_SUPPORTED', 'getComposeTypeAsync demande Mailbox 1.10.', 'getComposeTypeAsync');
      }
      const value = await officeAsync<{ composeType: string }>(office, 'getComposeTypeAsync', (cb) =>
        item.getComposeTypeAsync(cb),
      );
      const type = value?.composeType as ComposeType;
      return COMPOSE_TYPES.includes(type) ? type : 'newMail';
    },
    setSessionData(name, value) {
      if (!item.sessionData) return Promise.reject(new MailboxPortError('NOT_SUPPORTED', 'sessionData demande Mailbox 1.11.', 'sessionData.setAsync'));
      return officeAsync<void>(office, 'sessionData.setAsync', (cb) => item.sessionData.setAsync(name, value, cb));
    },
    async getSessionData(name) {
      if (!item.sessionData) throw new MailboxPortError('NOT_SUPPORTED', 'sessionData demande Mailbox 1.11.', 'sessionData.getAllAsync');
      // getAllAsync tells "absent" apart from "empty string", which getAsync does not document.
      const all = await officeAsync<object>(office, 'sessionData.getAllAsync', (cb) =>
        item.sessionData.getAllAsync(cb),
      );
      return all && Object.prototype.hasOwnProperty.call(all, name) ? String((all as Record<string, unknown>)[name]) : undefined;
    },
  };
}

function readPort(office: OfficeApi, mailbox: Office.Mailbox, item: Office.MessageRead): MailboxPort {
  return {
    ...hostSurface(office, mailbox),
    mode: 'read',
    getRecipients: () =>
      Promise.resolve({
        to: (item.to ?? []).map(toRecipientInfo),
        cc: (item.cc ?? []).map(toRecipientInfo),
        bcc: [],
      }),
    setRecipients: () => Promise.reject(readModeError('setAsync')),
    addRecipients: () => Promise.reject(readModeError('addAsync')),
    getSubject: () => Promise.resolve(item.subject ?? ''),
    getBodyText: () => bodyText(office, item.body),
    getAttachmentNames: () => Promise.resolve((item.attachments ?? []).map((a) => a.name)),
    getUserEmail: () => Promise.resolve(mailbox.userProfile.emailAddress),
    getBody: (format) => bodyAs(office, item.body, format),
    setBody: () => Promise.reject(readModeError('body.setAsync')),
    getBodyType: () => Promise.resolve('text'),
    getAttachments: () => Promise.resolve((item.attachments ?? []).map(toAttachmentInfo)),
    getAttachmentBase64: (id) =>
      officeAsync<Office.AttachmentContent>(office, 'getAttachmentContentAsync', (cb) => item.getAttachmentContentAsync(id, cb)).then((c) => c.content),
    displayNewMessage: (form) => displayNewMessage(office, mailbox, form),
    discardDraft: () => Promise.reject(readModeError('closeAsync')),
    // A received message's recipients never change: nothing to register.
    onRecipientsChanged: () => Promise.resolve(() => Promise.resolve()),
    getComposeType: () => Promise.reject(readModeError('getComposeTypeAsync')),
    setSessionData: () => Promise.reject(readModeError('sessionData.setAsync')),
    getSessionData: () => Promise.reject(readModeError('sessionData.getAllAsync')),
  };
}
