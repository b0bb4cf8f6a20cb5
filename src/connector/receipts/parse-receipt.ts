// Runtime: Node (connector). Reads a delivery receipt (DSN, RFC 3464: multipart/report; report-type=delivery-status)
// or a read receipt (MDN, RFC 8098: report-type=disposition-notification) into the value the poller stores. MIME is
// parsed by mailparser (keepDeliveryStatus); when a report part is malformed (the ANS "KO intégration" example has no
// blank line after the part headers, MSSANTE.md §7.2) the direct parts of the multipart/report are re-read tolerantly.
// Anything else is a typed 'not-a-receipt' value. Never throws on bad input.

import { simpleParser, type ParsedMail } from 'mailparser';
import { explainDeliveryStatus, parseSubjectConventions, type DeliveryStatusClass } from '../../core';

/** One recipient of a DSN (RFC 3464 §2.3), or the final recipient of an MDN. */
export interface ReceiptRecipient {
  readonly address: string;
  /** DSN: failed / delayed / delivered / relayed / expanded; MDN: the disposition type (displayed, processed…). */
  readonly action: string;
  /** DSN status `X.Y.Z` (RFC 3463); MDN: `2.0.0`, or `5.0.0` when the disposition carries an error. */
  readonly status: string;
  readonly diagnostic?: string;
  readonly statusClass: DeliveryStatusClass;
  /** French explanation for the sender. */
  readonly explanation: string;
}

/** A DSN or MDN as the poller stores it. */
export interface Receipt {
  readonly type: 'dsn' | 'mdn';
  /** Message-ID of the sent message (`<…>`), for matching; undefined when the receipt does not say. */
  readonly originalMessageId?: string;
  /** DSN `Original-Envelope-Id` (our ENVID). */
  readonly envelopeId?: string;
  readonly reportingMta?: string;
  readonly reportingUa?: string;
  readonly recipients: readonly ReceiptRecipient[];
  /** MDN `Disposition` as read, e.g. `automatic-action/MDN-sent-automatically; processed/error`. */
  readonly disposition?: { readonly actionMode: string; readonly sendingMode: string; readonly type: string; readonly modifiers: readonly string[] };
  /** MSSanté integration error code (`processed/Error: 902^…`, or `[KO Intégration système !][902]` in the subject). */
  readonly errorCode?: string;
  readonly errorLabel?: string;
  /** Message-ID of the receipt itself. */
  readonly receiptMessageId?: string;
  /** Deviations read around (codes): `REPORT_PART_MALFORMED`, `ORIGINAL_ID_FROM_RFC822`… */
  readonly problems: readonly string[];
}

/** Not a DSN/MDN. */
export interface NotAReceipt {
  readonly type: 'not-a-receipt';
  readonly reason: 'NOT_MULTIPART_REPORT' | 'UNKNOWN_REPORT_TYPE' | 'NO_REPORT_PART' | 'UNPARSABLE';
  /** For an ANS "courriel standard" error notification: the integration error code of its subject. */
  readonly errorCode?: string;
}

/** Outcome of {@link parseReceipt}. */
export type ReceiptResult = Receipt | NotAReceipt;

/** Parses `name: value` groups separated by blank lines (RFC 3464 §2.1, RFC 8098 §3.1), unfolding continuations. */
export function parseReportFields(text: string): Array<Map<string, string>> {
  const groups: Array<Map<string, string>> = [];
  let cur = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.trim() === '') {
      if (cur.size > 0) groups.push(cur);
      cur = new Map();
      last = undefined;
      continue;
    }
    if (/^[ \t]/.test(line) && last) {
      cur.set(last, `${cur.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i).trim().toLowerCase();
    if (!cur.has(last)) cur.set(last, line.slice(i + 1).trim());
  }
  if (cur.size > 0) groups.push(cur);
  return groups;
}

/** `rfc822; a@b` or `"Name" <a@b>` → `a@b`. */
function addressOf(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const typed = /^\s*[A-Za-z0-9-]+\s*;\s*(.*)$/.exec(v);
  const rest = (typed ? typed[1] : v).trim();
  const angle = /<([^<>]+)>/.exec(rest);
  const addr = (angle ? angle[1] : rest).trim();
  return addr || undefined;
}

/** `<id >`, `id` → `<id>`. */
function messageIdOf(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const inner = v.trim().replace(/^<\s*|\s*>$/g, '').trim();
  return inner ? `<${inner}>` : undefined;
}

/** Tolerant split of the direct parts of a multipart body (for malformed reports). */
function rawParts(raw: string, boundary: string): Array<{ contentType: string; body: string }> {
  const lines = raw.split(/\r?\n/);
  const parts: string[][] = [];
  let cur: string[] | undefined;
  for (const line of lines) {
    if (line.startsWith(`--${boundary}`)) {
      if (cur) parts.push(cur);
      cur = line.startsWith(`--${boundary}--`) ? undefined : [];
      continue;
    }
    cur?.push(line);
  }
  if (cur) parts.push(cur);
  return parts.map((p) => {
    const ct = p.find((l) => /^content-type\s*:/i.test(l));
    const contentType = ct ? ct.slice(ct.indexOf(':') + 1).split(';')[0].trim().toLowerCase() : 'text/plain';
    const body = p.filter((l) => !/^content-(type|transfer-encoding|transfert-encoding)\s*:/i.test(l)).join('\n');
    return { contentType, body };
  });
}

function recipientFrom(address: string, action: string, status: string, diagnostic?: string): ReceiptRecipient {
  const e = explainDeliveryStatus(status);
  return { address, action, status, ...(diagnostic ? { diagnostic } : {}), statusClass: e.class, explanation: e.message };
}

/** Parses one e-mail (bytes as received). */
export async function parseReceipt(raw: Uint8Array | string): Promise<ReceiptResult> {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
  let mail: ParsedMail;
  try {
    mail = await simpleParser(buf, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch {
    return { type: 'not-a-receipt', reason: 'UNPARSABLE' };
  }
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const subjectInfo = parseSubjectConventions(mail.subject ?? '');
  if (ct?.value?.toLowerCase() !== 'multipart/report') {
    return { type: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT', ...(subjectInfo.integrationErrorCode ? { errorCode: subjectInfo.integrationErrorCode } : {}) };
  }
  const reportType = (ct.params?.['report-type'] ?? '').toLowerCase();
  const kind = reportType === 'delivery-status' ? 'dsn' : reportType === 'disposition-notification' ? 'mdn' : undefined;
  if (!kind) return { type: 'not-a-receipt', reason: 'UNKNOWN_REPORT_TYPE' };
  const partType = kind === 'dsn' ? /^message\/(global-)?delivery-status$/ : /^message\/(global-)?disposition-notification$/;
  const problems: string[] = [];
  let reportText = mail.attachments.find((a) => partType.test(a.contentType.toLowerCase()))?.content.toString('utf8');
  if (!reportText || reportText.trim() === '') {
    const boundary = ct.params?.boundary;
    const part = boundary ? rawParts(buf.toString('utf8'), boundary).find((p) => partType.test(p.contentType)) : undefined;
    if (!part) return { type: 'not-a-receipt', reason: 'NO_REPORT_PART' };
    problems.push('REPORT_PART_MALFORMED');
    reportText = part.body;
  }
  const groups = parseReportFields(reportText);
  const receiptMessageId = messageIdOf(mail.messageId);
  const rfc822 = mail.attachments.find((a) => /^message\/(rfc822|global)$|^text\/rfc822-headers$/i.test(a.contentType));
  const embeddedId = rfc822 ? messageIdOf(parseReportFields(rfc822.content.toString('utf8').split(/\r?\n\r?\n/)[0]).at(0)?.get('message-id')) : undefined;

  if (kind === 'dsn') {
    const [perMessage = new Map<string, string>(), ...perRecipient] = groups;
    const recipients = perRecipient
      .filter((g) => g.has('final-recipient') || g.has('original-recipient'))
      .map((g) => recipientFrom(addressOf(g.get('final-recipient') ?? g.get('original-recipient')) ?? '', (g.get('action') ?? '').toLowerCase(), g.get('status') ?? '', g.get('diagnostic-code')));
    if (embeddedId) problems.push('ORIGINAL_ID_FROM_RFC822');
    const envelopeId = perMessage.get('original-envelope-id');
    const reportingMta = perMessage.get('reporting-mta');
    return {
      type: 'dsn',
      ...(embeddedId ? { originalMessageId: embeddedId } : {}),
      ...(envelopeId ? { envelopeId } : {}),
      ...(reportingMta ? { reportingMta } : {}),
      recipients,
      ...(receiptMessageId ? { receiptMessageId } : {}),
      problems,
    };
  }

  const f = groups.reduce((acc, g) => new Map([...acc, ...g]), new Map<string, string>());
  const disp = f.get('disposition') ?? '';
  const dm = /^\s*([^/;\s]+)\s*\/\s*([^;\s]+)\s*;\s*([A-Za-z-]+)\s*(?:\/\s*(.*))?$/.exec(disp);
  const modifiersText = dm?.[4] ?? '';
  const errorMatch = /^\s*error\s*:\s*([^^\s]+)(?:\^([^^]*))?/i.exec(modifiersText);
  const modifiers = modifiersText ? [modifiersText.split(':')[0].trim().toLowerCase()] : [];
  const type = (dm?.[3] ?? '').toLowerCase();
  const errorCode = errorMatch?.[1] ?? (subjectInfo.integrationErrorCode || undefined);
  const errorLabel = errorMatch?.[2]?.trim();
  const failed = modifiers.includes('error') || type === 'failed' || errorCode !== undefined;
  const address = addressOf(f.get('final-recipient') ?? f.get('original-recipient')) ?? '';
  const status = failed ? '5.0.0' : '2.0.0';
  const e = explainDeliveryStatus(status);
  const originalMessageId = messageIdOf(f.get('original-message-id')) ?? embeddedId;
  const reportingUa = f.get('reporting-ua');
  return {
    type: 'mdn',
    ...(originalMessageId ? { originalMessageId } : {}),
    ...(reportingUa ? { reportingUa } : {}),
    recipients: [
      {
        address,
        action: type,
        status,
        statusClass: e.class,
        explanation: failed
          ? `Le destinataire a reçu le message mais n'a pas pu l'intégrer${errorCode ? ` (erreur ${errorCode}${errorLabel ? ` : ${errorLabel}` : ''})` : ''}. Contactez le destinataire ou corrigez le document, puis renvoyez-le.`
          : type === 'displayed'
            ? 'Le message a été ouvert par le destinataire.'
            : type === 'processed'
              ? 'Le message a été traité par le logiciel du destinataire.'
              : 'Accusé de lecture reçu du destinataire.',
      },
    ],
    disposition: { actionMode: dm?.[1] ?? '', sendingMode: dm?.[2] ?? '', type, modifiers },
    ...(errorCode ? { errorCode } : {}),
    ...(errorLabel ? { errorLabel } : {}),
    ...(receiptMessageId ? { receiptMessageId } : {}),
    problems,
  };
}
