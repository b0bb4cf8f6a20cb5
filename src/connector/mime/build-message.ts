// Runtime: Node (connector). Builds the MIME message of an MSSanté send with nodemailer's MailComposer: UTF-8 parts,
// Message-ID (generated with the connector's domain when absent), In-Reply-To / References kept (RFC 5322 §3.6.4),
// the X-MSS-* headers of the core rules spelled exactly `X-MSS-…` (nodemailer re-cases header names to `X-Mss-Nil`:
// normalizeHeaderKey restores the spelling), the IHE_XDM.zip attachment, Disposition-Notification-To (RFC 8098 §2.1)
// and the DSN request (RFC 3461) the SMTP transport sends as MAIL FROM RET/ENVID and RCPT TO NOTIFY/ORCPT.

import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import {
  buildMssHeaders,
  checkMessageSize,
  MSS_HEADERS,
  normaliseAddress,
  normaliseHeaderValue,
  type MssMessageError,
  type MssMessageErrorCode,
} from '../../core';

/** A mailbox: address and optional display name ("libellé signifiant", ECO.2.2.7). */
export interface MessageAddress {
  readonly address: string;
  readonly name?: string;
}

/** A plain attachment (e.g. the PDF/A-1 next to the IHE_XDM.zip, ECO.2.1.5). */
export interface MessageAttachment {
  readonly filename: string;
  readonly content: Uint8Array;
  readonly contentType: string;
}

/** Input of {@link buildMessage}. */
export interface BuildMessageInput {
  readonly from: MessageAddress;
  readonly to: readonly MessageAddress[];
  readonly cc?: readonly MessageAddress[];
  readonly bcc?: readonly MessageAddress[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  readonly attachments?: readonly MessageAttachment[];
  /** The IHE_XDM.zip (from packXdm): adds X-MSS-INS and X-MSS-CODECDA. */
  readonly xdm?: { readonly zip: Uint8Array; readonly cdaCodes: readonly string[]; readonly insQualified: boolean; readonly filename?: string };
  /** Kept when given (`<id@domain>`), else generated as `<uuid@messageIdDomain>`. */
  readonly messageId?: string;
  readonly inReplyTo?: string;
  readonly references?: string | readonly string[];
  /** X-MSS-NIL value (configuration). */
  readonly productReference: string;
  /** X-MSS-MES: FIN (patient recipients only). */
  readonly noReply?: boolean;
  /** Adds `Disposition-Notification-To: <from>` (read receipt, RFC 8098). Default false. */
  readonly readReceipt?: boolean;
  /** Asks the operator for DSN (success, failure, delay; RET=HDRS). Default true. */
  readonly deliveryReceipt?: boolean;
  /** ENVID of the DSN request (RFC 3461 §4.4, xtext-safe). Default: the queue id if given, else derived from Message-ID. */
  readonly envelopeId?: string;
  readonly date: Date;
  /** The operator's size limit in bytes (default core DEFAULT_OPERATOR_MAX_MESSAGE_BYTES). */
  readonly operatorMaxBytes?: number;
}

/** Options of {@link buildMessage}. */
export interface BuildMessageOptions {
  /** Domain of generated Message-IDs (the connector's domain, e.g. `connecteur.hopital.fr`). */
  readonly messageIdDomain: string;
  /** Injectable UUID source. Default crypto.randomUUID. */
  readonly uuid?: () => string;
}

/** DSN request, the shape nodemailer's SMTP transport takes as `dsn`. */
export interface DsnRequest {
  readonly id: string;
  readonly return: 'headers';
  readonly notify: readonly ['success', 'failure', 'delay'];
  /**
   * ORCPT (RFC 3461 §4.2). Not set: nodemailer would put this ONE address on every RCPT TO, while ORCPT is each
   * recipient's own original address; it is optional, and the DSN's Final-Recipient identifies the recipient.
   */
  readonly recipient?: string;
}

/** A built message. */
export interface BuiltMessage {
  readonly ok: true;
  /** The RFC 5322 bytes (CRLF). */
  readonly raw: Buffer;
  /** `<…@…>` */
  readonly messageId: string;
  /** SMTP envelope: MAIL FROM and every RCPT TO (To, Cc, Bcc; Bcc is not in the headers). */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** Pass as `dsn` to nodemailer's SMTP transport with `{ envelope, raw }`; absent when not requested. */
  readonly dsn?: DsnRequest;
  readonly size: number;
}

/** Error codes of this module (on top of the core's MSS_* codes). */
export const MIME_ERROR_CODES = ['MIME_ADDRESS_INVALID', 'MIME_NO_RECIPIENT', 'MIME_MESSAGE_ID_INVALID'] as const;
/** A build error: a core rule or a MIME input error. */
export interface BuildMessageError {
  readonly code: MssMessageErrorCode | (typeof MIME_ERROR_CODES)[number];
  readonly message: string;
  readonly field?: string;
}

/** Outcome of {@link buildMessage}. */
export type BuildMessageResult = BuiltMessage | { readonly ok: false; readonly errors: readonly BuildMessageError[] };

const MSG_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;
const EXACT_KEYS: ReadonlyMap<string, string> = new Map([...Object.values(MSS_HEADERS), 'Disposition-Notification-To', 'Message-ID', 'In-Reply-To'].map((k) => [k.toLowerCase(), k]));

/** nodemailer `normalizeHeaderKey`: keeps `X-MSS-NIL` as written (nodemailer would send `X-Mss-Nil`). */
export function exactHeaderKey(key: string): string {
  return EXACT_KEYS.get(key.toLowerCase()) ?? key;
}

/** ENVID from a Message-ID: RFC 3461 xtext allows printable ASCII except `+` and `=`; at most 100 characters. */
function envelopeIdFrom(messageId: string): string {
  return messageId.replace(/^<|>$/g, '').replace(/[^\x21-\x7e]|[+=]/g, '_').slice(0, 100);
}

/**
 * A composed message before serialisation: the nodemailer message options (every rule of this module applied, header
 * names spelled exactly), its Message-ID, envelope and DSN request. nodemailer's SMTP transport serialises it while it
 * streams DATA (one pass, no intermediate buffer): the outbound worker sends this, after the API checked the size with
 * {@link buildMessage} on the same input.
 */
export interface ComposedMessage {
  readonly ok: true;
  readonly mail: Mail.Options & { readonly normalizeHeaderKey: (key: string) => string };
  readonly messageId: string;
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly dsn?: DsnRequest;
}

/** Builds the MIME message; French errors as values, never throws on bad input. */
export async function buildMessage(input: BuildMessageInput, options: BuildMessageOptions): Promise<BuildMessageResult> {
  const composed = composeMessage(input, options);
  if (!composed.ok) return composed;
  const { mail, messageId, envelope, dsn } = composed;
  const raw = await new Promise<Buffer>((resolve, reject) => {
    new MailComposer(mail).compile().build((err, message) => (err ? reject(err) : resolve(message)));
  });
  const size = checkMessageSize({ sizeBytes: raw.length, recipients: envelope.to, ...(input.operatorMaxBytes !== undefined ? { operatorMaxBytes: input.operatorMaxBytes } : {}) });
  if (!size.ok) return { ok: false, errors: [size.error] };
  return { ok: true, raw, messageId, envelope, ...(dsn ? { dsn } : {}), size: raw.length };
}

/** Applies every rule and returns the message options, without serialising (see {@link ComposedMessage}). */
export function composeMessage(input: BuildMessageInput, options: BuildMessageOptions): ComposedMessage | { readonly ok: false; readonly errors: readonly BuildMessageError[] } {
  const errors: BuildMessageError[] = [];
  const addr = (a: MessageAddress, field: string): { address: string; name?: string } | undefined => {
    const address = normaliseAddress(a.address);
    if (!address) {
      errors.push({ code: 'MIME_ADDRESS_INVALID', field, message: `Une adresse du champ ${field} n'est pas une adresse électronique valide.` });
      return undefined;
    }
    if (a.name === undefined) return { address };
    const name = normaliseHeaderValue(a.name, field);
    if (!name.ok) {
      errors.push(name.error);
      return undefined;
    }
    return name.value ? { address, name: name.value } : { address };
  };
  const list = (xs: readonly MessageAddress[] | undefined, field: string) => (xs ?? []).map((a) => addr(a, field)).filter((a): a is { address: string; name?: string } => a !== undefined);
  const from = addr(input.from, 'From');
  const to = list(input.to, 'To');
  const cc = list(input.cc, 'Cc');
  const bcc = list(input.bcc, 'Bcc');
  const recipients = [...to, ...cc, ...bcc].map((a) => a.address);
  if (input.to.length + (input.cc?.length ?? 0) + (input.bcc?.length ?? 0) === 0) {
    errors.push({ code: 'MIME_NO_RECIPIENT', message: 'Le message n’a aucun destinataire : ajoutez au moins une adresse MSSanté.' });
  }
  const subject = normaliseHeaderValue(input.subject, 'Subject');
  if (!subject.ok) errors.push(subject.error);
  const ids = (v: string | readonly string[] | undefined, field: string): string[] => {
    const values = v === undefined ? [] : typeof v === 'string' ? v.trim().split(/\s+/).filter(Boolean) : [...v];
    const ok = values.filter((x) => MSG_ID.test(x));
    if (ok.length !== values.length) errors.push({ code: 'MIME_MESSAGE_ID_INVALID', field, message: `Le champ ${field} doit contenir des identifiants de message de la forme <identifiant@domaine>.` });
    return ok;
  };
  const [givenId] = ids(input.messageId, 'Message-ID');
  const inReplyTo = ids(input.inReplyTo, 'In-Reply-To');
  const references = ids(input.references, 'References');
  const mss = buildMssHeaders({
    productReference: input.productReference,
    recipients,
    ...(input.xdm ? { xdm: { cdaCodes: input.xdm.cdaCodes, insQualified: input.xdm.insQualified } } : {}),
    ...(input.noReply ? { noReply: true } : {}),
  });
  if (!mss.ok) errors.push(...(mss.errors as MssMessageError[]));
  if (errors.length > 0 || !from || !mss.ok || !subject.ok) return { ok: false, errors };

  const messageId = givenId ?? `<${(options.uuid ?? randomUUID)()}@${options.messageIdDomain}>`;
  const headers: Record<string, string> = {};
  for (const h of mss.headers) headers[h.name] = h.value;
  if (input.readReceipt) headers['Disposition-Notification-To'] = `<${from.address}>`;
  const attachments: Mail.Attachment[] = [
    ...(input.xdm ? [{ filename: input.xdm.filename ?? 'IHE_XDM.zip', content: Buffer.from(input.xdm.zip), contentType: 'application/zip' }] : []),
    ...(input.attachments ?? []).map((a) => ({ filename: a.filename, content: Buffer.from(a.content), contentType: a.contentType })),
  ];
  const mail: Mail.Options & { normalizeHeaderKey: (key: string) => string } = {
    from,
    to,
    ...(cc.length > 0 ? { cc } : {}),
    ...(bcc.length > 0 ? { bcc } : {}),
    subject: subject.value,
    messageId,
    date: input.date,
    ...(inReplyTo.length > 0 ? { inReplyTo: inReplyTo[0] } : {}),
    ...(references.length > 0 ? { references } : {}),
    ...(input.text !== undefined ? { text: input.text } : {}),
    ...(input.html !== undefined ? { html: input.html } : {}),
    textEncoding: 'quoted-printable',
    headers,
    attachments,
    envelope: { from: from.address, to: recipients },
    normalizeHeaderKey: exactHeaderKey,
  };
  const dsn: DsnRequest | undefined =
    input.deliveryReceipt === false
      ? undefined
      : { id: input.envelopeId ?? envelopeIdFrom(messageId), return: 'headers', notify: ['success', 'failure', 'delay'] };
  return { ok: true, mail, messageId, envelope: { from: from.address, to: recipients }, ...(dsn ? { dsn } : {}) };
}
