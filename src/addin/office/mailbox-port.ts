// Runtime: browser (task pane) and node tests. The promise-based surface the task pane and its hooks use to reach the
// current Outlook item. Nothing outside src/addin/office touches the Office global; everything else takes a MailboxPort,
// so it can be tested with a plain fake (STYLE.md rule 4).
import type { RecipientField } from '../../core';

/** One recipient as Outlook reports it (Office.EmailAddressDetails, minus what the add-in does not use). */
export interface RecipientInfo {
  readonly emailAddress: string;
  readonly displayName: string;
  /** `user`, `externalUser`, `distributionList` or `other` (Office.MailboxEnums.RecipientType); absent in some clients. */
  readonly recipientType?: string;
}

/** A recipient to write: `displayName` defaults to the address, as in Outlook. */
export interface RecipientInput {
  readonly emailAddress: string;
  readonly displayName?: string;
}

export type RecipientsByField = Record<RecipientField, RecipientInfo[]>;

/** Office.MailboxEnums.ComposeType values (Mailbox 1.10). */
export const COMPOSE_TYPES = ['newMail', 'reply', 'forward'] as const;
export type ComposeType = (typeof COMPOSE_TYPES)[number];

export type MailboxMode = 'compose' | 'read';

/** Office.CoercionType values the port reads and writes the body with. */
export type BodyFormat = 'html' | 'text';

/** One attachment as Outlook lists it (Office.AttachmentDetailsCompose / AttachmentDetails). */
export interface AttachmentInfo {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly isInline: boolean;
  /** `file`, `item` or `cloud` (Office.MailboxEnums.AttachmentType). */
  readonly attachmentType: string;
}

/** Office.MessageForm subset for a new message (Mailbox.displayNewMessageFormAsync, Mailbox 1.9). */
export interface NewMessageForm {
  readonly toRecipients: readonly RecipientInput[];
  readonly subject?: string;
  /** ≤ 32 KB (d.ts). */
  readonly htmlBody?: string;
}

/** Stable error codes of the port (besides Office's own errors, which keep their Office name and code). */
export const MAILBOX_PORT_ERROR_CODES = [
  'OFFICE_CALL_FAILED', // an Office.js *Async call reported status "failed"; see officeName / officeCode
  'READ_MODE', // the operation only exists while composing (setAsync, sessionData, compose type...)
  'NOT_SUPPORTED', // the client lacks the API (requirement set below what the operation needs)
] as const;
export type MailboxPortErrorCode = (typeof MAILBOX_PORT_ERROR_CODES)[number];

/** Why a MailboxPort call failed. Keeps Office's own error name and numeric code when Office reported one. */
export class MailboxPortError extends Error {
  override readonly name = 'MailboxPortError';
  constructor(
    readonly code: MailboxPortErrorCode,
    message: string,
    /** The Office.js operation, e.g. `to.getAsync`. */
    readonly operation: string,
    /** `Office.Error.name`, e.g. `NumberOfRecipientsExceeded`. */
    readonly officeName?: string,
    /** `Office.Error.code`. */
    readonly officeCode?: number,
  ) {
    super(message);
  }
}

/** Unsubscribes a listener. */
export type Unsubscribe = () => Promise<void>;

/** The current Outlook item, promise-based. */
export interface MailboxPort {
  readonly mode: MailboxMode;
  /** Recipients by field. In read mode `bcc` is always empty (Outlook does not expose it). */
  getRecipients(): Promise<RecipientsByField>;
  /** Replaces a field (compose only). Office accepts at most 100 recipients per call. */
  setRecipients(field: RecipientField, list: readonly RecipientInput[]): Promise<void>;
  /** Appends to a field (compose only). Office accepts at most 100 recipients per call. */
  addRecipients(field: RecipientField, list: readonly RecipientInput[]): Promise<void>;
  getSubject(): Promise<string>;
  /** The body as plain text (Office.CoercionType.Text). */
  getBodyText(): Promise<string>;
  /** File names of the attachments (inline images included, as Outlook lists them). */
  getAttachmentNames(): Promise<string[]>;
  /** The signed-in mailbox's address (Office.context.mailbox.userProfile). */
  getUserEmail(): Promise<string>;
  /**
   * Calls `listener` whenever a recipient field changes (Office.EventType.RecipientsChanged, Mailbox 1.7, compose
   * only). Resolves once the handler is registered, with the function that removes it. In read mode recipients never
   * change: the listener is never called.
   */
  onRecipientsChanged(listener: () => void): Promise<Unsubscribe>;
  /** newMail / reply / forward (compose only, Mailbox 1.10). */
  getComposeType(): Promise<ComposeType>;
  /** The body (compose and read, Mailbox 1.3 `body.getAsync(coercionType)`); the signature is part of it. */
  getBody(format: BodyFormat): Promise<string>;
  /**
   * Replaces the whole body (compose only, Mailbox 1.3 `body.setAsync(data, {coercionType})`; ≤ 1 MB characters).
   * Write HTML back as HTML: writing text into an HTML body loses the formatting.
   */
  setBody(format: BodyFormat, content: string): Promise<void>;
  /** The body type of the item being composed (`body.getTypeAsync`, Mailbox 1.3); `text` in read mode. */
  getBodyType(): Promise<BodyFormat>;
  /** Attachments with their ids (compose: getAttachmentsAsync, Mailbox 1.8; read: item.attachments). */
  getAttachments(): Promise<AttachmentInfo[]>;
  /** An attachment's content as base64 (getAttachmentContentAsync, Mailbox 1.8). */
  getAttachmentBase64(id: string): Promise<string>;
  /**
   * Opens a NEW message form with these recipients. Outlook only allows it in READ mode
   * (Mailbox.displayNewMessageFormAsync, Mailbox 1.9, d.ts "Applicable Outlook mode: Read"): in compose this
   * rejects with NOT_SUPPORTED, and the caller offers to copy the addresses instead.
   */
  displayNewMessage(form: NewMessageForm): Promise<void>;
  /**
   * Closes the message being composed WITHOUT saving it and removes the draft (item.closeAsync({discardItem: true}),
   * Mailbox 1.14, compose only). Only call it once the message has left by another path (the connector accepted it).
   */
  discardDraft(): Promise<void>;
  /** Per-item scratch store shared with the Smart Alerts handler (item.sessionData, Mailbox 1.11, compose only). */
  setSessionData(name: string, value: string): Promise<void>;
  /** `undefined` when the key is absent. */
  getSessionData(name: string): Promise<string | undefined>;
  /**
   * Opens a page of the add-in's own domain in an Office dialog (Office.context.ui.displayDialogAsync, DialogApi 1.1)
   * and resolves with the first message the page sends (Office.context.ui.messageParent); the dialog is then closed.
   * Rejects when it cannot open (12004 domain, 12007 one dialog at a time) or the user closes it (12006).
   */
  openDialog(url: string): Promise<string>;
  /** True when Outlook shows a dark theme now (Office.context.officeTheme). */
  isDarkTheme(): boolean;
  /**
   * Calls `listener` with the new theme whenever Outlook's theme changes (Office.EventType.OfficeThemeChanged on
   * Office.context.mailbox). Where the client has no such event, resolves anyway and never calls.
   */
  onThemeChanged(listener: (dark: boolean) => void): Promise<Unsubscribe>;
}
