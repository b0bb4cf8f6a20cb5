// Runtime: browser (harness) and node tests. The state of one simulated Outlook item: recipients (as Office
// EmailAddressDetails with recipientType), subject, body, attachments, sessionData, notification messages and compose
// type, with change events. The harness page owns one FakeMailbox; the fake Office host of each iframe (task pane,
// event runtime) reads and writes it through window.parent, so every pane sees the same message.
// No DOM, no Office: plain data, so node tests use it directly.

export type FakeField = 'to' | 'cc' | 'bcc';
export const FAKE_FIELDS: readonly FakeField[] = ['to', 'cc', 'bcc'];

/** Office.EmailAddressDetails as Outlook reports it. */
export interface FakeRecipient {
  readonly emailAddress: string;
  readonly displayName: string;
  /** Office.MailboxEnums.RecipientType: `user` (same organisation), `externalUser`, `distributionList`, `other`. */
  readonly recipientType: 'user' | 'externalUser' | 'distributionList' | 'other';
  readonly appointmentResponse?: string;
}

/** What callers may pass to set/add: Office accepts strings, EmailUser or EmailAddressDetails. */
export type FakeRecipientInput = string | { readonly emailAddress: string; readonly displayName?: string };

/** Office.AttachmentDetailsCompose. */
export interface FakeAttachment {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly isInline: boolean;
  readonly attachmentType: 'file' | 'item' | 'cloud';
  readonly contentType: string;
  /** File content, base64 (what getAttachmentContentAsync returns). */
  readonly contentBase64?: string;
}

/** Office.NotificationMessageDetails (as stored). */
export interface FakeNotification {
  readonly key: string;
  readonly type: string;
  readonly message: string;
  readonly icon?: string;
  readonly persistent?: boolean;
}

export type FakeMode = 'compose' | 'read';
export type FakeComposeType = 'newMail' | 'reply' | 'forward';

/** Office.Error. */
export interface FakeOfficeError {
  readonly name: string;
  readonly message: string;
  readonly code: number;
}

export interface FakeMailboxState {
  readonly mode: FakeMode;
  readonly composeType: FakeComposeType;
  readonly to: readonly FakeRecipient[];
  readonly cc: readonly FakeRecipient[];
  readonly bcc: readonly FakeRecipient[];
  /** Read mode: the sender. */
  readonly from?: FakeRecipient;
  readonly subject: string;
  /** The body as plain text (what body.getAsync(Text) returns). */
  readonly body: string;
  /**
   * The body as HTML when the item is an HTML message (replies in Outlook on the web are HTML, signature included);
   * undefined for a plain-text item. Kept in step with `body` by setBody / setBodyHtml.
   */
  readonly bodyHtml?: string;
  /** True once the draft was closed and discarded (item.closeAsync({discardItem: true}), Mailbox 1.14). */
  readonly discarded?: boolean;
  /** New message forms opened with mailbox.displayNewMessageFormAsync (read mode), newest last. */
  readonly openedForms?: readonly { readonly toRecipients: readonly string[]; readonly subject?: string }[];
  readonly attachments: readonly FakeAttachment[];
  readonly sessionData: Readonly<Record<string, string>>;
  readonly notificationMessages: readonly FakeNotification[];
  readonly user: { readonly emailAddress: string; readonly displayName: string };
  /** Domains resolved as `user` (same Exchange organisation); every other address is `externalUser`. */
  readonly organisationDomains: readonly string[];
  /** Highest Mailbox requirement set the simulated client supports, e.g. `1.15`. */
  readonly mailboxVersion: string;
  readonly displayLanguage: string;
  /** Outlook's dark theme (Office.context.officeTheme). */
  readonly darkTheme?: boolean;
}

export type MailboxChange =
  | { readonly type: 'recipients'; readonly fields: Readonly<Record<FakeField, boolean>> }
  | { readonly type: 'subject' | 'body' | 'attachments' | 'sessionData' | 'notifications' | 'item' | 'theme' };

export type MailboxListener = (change: MailboxChange) => void;

/** Office error table (outlook-web-16.01.js `addErrorMessage`), the subset the fake reports. French messages. */
export const FAKE_OFFICE_ERRORS = {
  NumberOfRecipientsExceeded: { code: 9012, message: 'Le nombre total de destinataires dans le champ ne peut pas dépasser 100.' },
  DuplicateNotificationKey: { code: 9023, message: 'La clé de notification existe déjà.' },
  NotificationKeyNotFound: { code: 9024, message: 'La clé de notification est introuvable.' },
  NumberOfNotificationsExceeded: { code: 9025, message: 'Nous n’avons pas pu ajouter la notification : 5 notifications au plus.' },
  InvalidParameterValueError: { code: 9031, message: 'La valeur du paramètre n’est pas valide.' },
  NetworkError: { code: 9041, message: 'L’utilisateur n’est plus connecté au réseau. Vérifiez la connexion réseau et réessayez.' },
  KeyNotFound: { code: 9050, message: 'La clé spécifiée est introuvable.' },
  SessionObjectMaxLengthExceeded: { code: 9051, message: 'L’objet « sessionData » a dépassé la longueur maximale de « 50000 » caractères.' },
  DataExceedsMaximumSize: { code: 1000, message: 'Les données dépassent la taille maximale autorisée.' },
} as const;
export type FakeOfficeErrorName = keyof typeof FAKE_OFFICE_ERRORS;

export function officeError(name: FakeOfficeErrorName, message?: string): FakeOfficeError {
  return { name, code: FAKE_OFFICE_ERRORS[name].code, message: message ?? FAKE_OFFICE_ERRORS[name].message };
}

const DEFAULT_STATE: FakeMailboxState = {
  mode: 'compose',
  composeType: 'newMail',
  to: [],
  cc: [],
  bcc: [],
  subject: '',
  body: '',
  attachments: [],
  sessionData: {},
  notificationMessages: [],
  user: { emailAddress: 'secretariat@m2a.paris', displayName: 'Secrétariat M2A-DAC 75 Ouest' },
  organisationDomains: ['m2a.paris'],
  mailboxVersion: '1.15',
  displayLanguage: 'fr-FR',
};

/** Splits "Nom <adresse>" / "adresse" as typed in Outlook's To line. */
export function parseTypedRecipient(text: string): { emailAddress: string; displayName: string } | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^<>]*)>\s*$/.exec(trimmed);
  if (m) {
    const emailAddress = m[3].trim();
    const displayName = (m[1] ?? m[2] ?? '').trim();
    return { emailAddress, displayName: displayName || emailAddress };
  }
  return { emailAddress: trimmed, displayName: trimmed };
}

/**
 * One simulated Outlook item. Mutations notify listeners synchronously; the fake Office host turns recipient changes
 * into asynchronous Office.EventType.RecipientsChanged events, as Outlook does.
 */
export class FakeMailbox {
  private s: FakeMailboxState;
  private readonly listeners = new Set<MailboxListener>();
  private readonly failures = new Map<string, { error: FakeOfficeError; times: number }>();
  private attachmentSeq = 0;
  /** Every Office call made through the fake host, in order (operation names only), for tests and the harness log. */
  readonly calls: string[] = [];

  constructor(initial: Partial<FakeMailboxState> = {}) {
    this.s = { ...DEFAULT_STATE, ...initial };
  }

  get state(): FakeMailboxState {
    return this.s;
  }

  subscribe(listener: MailboxListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(change: MailboxChange): void {
    for (const l of Array.from(this.listeners)) {
      try {
        l(change);
      } catch {
        // a listener of a closed iframe must not break the others
      }
    }
  }

  private update(patch: Partial<FakeMailboxState>, change: MailboxChange): void {
    this.s = { ...this.s, ...patch };
    this.emit(change);
  }

  /** Makes the next `times` calls of `operation` (e.g. `to.getAsync`) fail with `error`. */
  failOn(operation: string, error: FakeOfficeError, times = Number.POSITIVE_INFINITY): void {
    this.failures.set(operation, { error, times });
  }

  clearFailures(): void {
    this.failures.clear();
  }

  /** Records a call; returns the injected error, if any. Used by the fake Office host. */
  takeFailure(operation: string): FakeOfficeError | undefined {
    this.calls.push(operation);
    const f = this.failures.get(operation);
    if (!f) return undefined;
    f.times -= 1;
    if (f.times <= 0) this.failures.delete(operation);
    return f.error;
  }

  /** Resolves a typed recipient the way Outlook does: display name defaults to the address; type from the domain. */
  resolve(input: FakeRecipientInput): FakeRecipient {
    const r = typeof input === 'string' ? { emailAddress: input.trim(), displayName: input.trim() } : input;
    const emailAddress = r.emailAddress.trim();
    const domain = emailAddress.slice(emailAddress.lastIndexOf('@') + 1).toLowerCase();
    const internal = this.s.organisationDomains.includes(domain);
    return {
      emailAddress,
      displayName: (r.displayName ?? '').trim() || emailAddress,
      recipientType: internal ? 'user' : 'externalUser',
    };
  }

  setRecipients(field: FakeField, list: readonly FakeRecipientInput[]): void {
    this.update({ [field]: list.map((r) => this.resolve(r)) }, { type: 'recipients', fields: changed(field) });
  }

  addRecipients(field: FakeField, list: readonly FakeRecipientInput[]): void {
    if (list.length === 0) return;
    this.update({ [field]: [...this.s[field], ...list.map((r) => this.resolve(r))] }, { type: 'recipients', fields: changed(field) });
  }

  removeRecipient(field: FakeField, index: number): void {
    const next = this.s[field].filter((_, i) => i !== index);
    this.update({ [field]: next }, { type: 'recipients', fields: changed(field) });
  }

  setSubject(subject: string): void {
    this.update({ subject }, { type: 'subject' });
  }

  /** Sets the body as typed text; an HTML item keeps being HTML (the text is escaped into paragraphs). */
  setBody(body: string): void {
    this.update({ body, bodyHtml: this.s.bodyHtml === undefined ? undefined : textToHtml(body) }, { type: 'body' });
  }

  /** Sets the body as HTML (the item becomes an HTML item); the text view is derived as Outlook does, roughly. */
  setBodyHtml(html: string): void {
    this.update({ bodyHtml: html, body: htmlToText(html) }, { type: 'body' });
  }

  /** The user switches Outlook's theme (the fake host raises Office.EventType.OfficeThemeChanged). */
  setDarkTheme(dark: boolean): void {
    if ((this.s.darkTheme === true) === dark) return;
    this.update({ darkTheme: dark }, { type: 'theme' });
  }

  /** The draft is closed and discarded (closeAsync with discardItem). */
  discardDraft(): void {
    this.update({ discarded: true }, { type: 'item' });
  }

  /** Records a new message form opened by the add-in (displayNewMessageFormAsync). */
  openNewMessageForm(form: { toRecipients: readonly string[]; subject?: string }): void {
    this.update({ openedForms: [...(this.s.openedForms ?? []), form] }, { type: 'item' });
  }

  addAttachment(name: string, size = 24_576, contentBase64?: string): FakeAttachment {
    const a: FakeAttachment = {
      id: `AAMkAD-fake-${++this.attachmentSeq}`,
      name,
      size,
      isInline: false,
      attachmentType: 'file',
      contentType: guessContentType(name),
      ...(contentBase64 !== undefined ? { contentBase64 } : {}),
    };
    this.update({ attachments: [...this.s.attachments, a] }, { type: 'attachments' });
    return a;
  }

  removeAttachment(id: string): void {
    this.update({ attachments: this.s.attachments.filter((a) => a.id !== id) }, { type: 'attachments' });
  }

  setSessionData(data: Readonly<Record<string, string>>): void {
    this.update({ sessionData: data }, { type: 'sessionData' });
  }

  setNotifications(list: readonly FakeNotification[]): void {
    this.update({ notificationMessages: list }, { type: 'notifications' });
  }

  /** Replaces the whole item (new message, reply...): all recipients change, sessionData is per item. */
  loadItem(item: Partial<FakeMailboxState>): void {
    const before = this.s;
    this.s = {
      ...this.s,
      mode: 'compose',
      composeType: 'newMail',
      to: [],
      cc: [],
      bcc: [],
      from: undefined,
      subject: '',
      body: '',
      bodyHtml: undefined,
      discarded: false,
      attachments: [],
      sessionData: {},
      notificationMessages: [],
      ...item,
    };
    for (const f of FAKE_FIELDS) this.s = { ...this.s, [f]: this.s[f].map((r) => this.resolve(r)) };
    this.emit({ type: 'item' });
    const fields = { to: before.to !== this.s.to, cc: before.cc !== this.s.cc, bcc: before.bcc !== this.s.bcc };
    this.emit({ type: 'recipients', fields });
  }
}

/** The text Outlook gives for an HTML body, roughly: block ends and <br> become new lines, tags go, entities decode. */
export function htmlToText(html: string): string {
  return html
    .replace(/<head[\s\S]*?<\/head>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|li|h[1-6])>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\n$/, '');
}

/** Escapes text into one HTML document, a <div> per line. */
export function textToHtml(text: string): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<html><body>${text.split('\n').map((l) => `<div>${l ? esc(l) : '<br>'}</div>`).join('')}</body></html>`;
}

function changed(field: FakeField): Record<FakeField, boolean> {
  return { to: field === 'to', cc: field === 'cc', bcc: field === 'bcc' };
}

function guessContentType(name: string): string {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  const types: Record<string, string> = {
    pdf: 'application/pdf',
    xml: 'application/xml',
    zip: 'application/zip',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    txt: 'text/plain',
    doc: 'application/msword',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  };
  return types[ext] ?? 'application/octet-stream';
}
