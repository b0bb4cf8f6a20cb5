// Runtime: Node (connector). Medimail (MIPIH), an MSSanté operator with its own SOAP web service, behind the same
// `Transport` interface as SMTP/IMAP. SOAP 1.1, RPC/encoded, namespace urn:medimailservicewsdl, operation `send`
// (parameters as the WSDL spells them, `acount` included), client TLS certificate issued by the Medimail CA
// (docs: ../shared/reference/MSSANTE.md §6.1; WSDL: ../shared/data/medimail/medimail.wsdl). Built on `soap`.
// Not documented publicly [?]: the separator of several addresses in `signatories`/`recipients` (option, default
// ";"), the exact response grammar (parsed leniently: `status`, `refs`, `<error id>`), reading a mailbox.

import { Agent } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { createClientAsync, type Client } from 'soap';
import { assertUsableCertificate } from './credentials';
import { TransportError, toTransportError } from './errors';
import { NOOP_LOGGER, maskAddress, type TransportLogger } from './logger';
import type { OutgoingMessage, SubmitResult, Transport } from './types';

/** The endpoint of the WSDL's service. */
export const MEDIMAIL_ENDPOINT = 'https://medimail.mipih.fr/wsdl_mss';

/** Options of {@link createMedimailTransport}. Defaults in brackets. */
export interface MedimailOptions {
  /** Path (or URL) of medimail.wsdl. */
  readonly wsdl: string;
  /** [MEDIMAIL_ENDPOINT] SOAP endpoint. */
  readonly endpoint?: string;
  /** The Medimail account: the mailbox address. */
  readonly account: string;
  /** The client certificate issued by the Medimail CA (PKCS#12), kept in memory. */
  readonly pfx: Buffer;
  readonly passphrase: string;
  /**
   * [{ minVersion: 'TLSv1.2' }, Node's CA store] TLS options toward the endpoint (`ca`, `ciphers`...). Pass the
   * IGC-Santé policy's `connectionOptions()` when the operator's server certificate is an IGC-Santé one.
   */
  readonly tls?: ConnectionOptions;
  /** X-MSS-NIL value sent when the message has none (ECO.2.4.3, référence produit convergence.esante.gouv.fr). */
  readonly nil?: string;
  /** [';'] Separator of several addresses in `signatories` / `recipients` [?]. */
  readonly addressSeparator?: string;
  /** [30000] Request timeout, ms. */
  readonly timeoutMs?: number;
  readonly logger?: TransportLogger | false;
}

/** Medimail accepts at most five attachments (attachment1..attachment5 in the WSDL). */
export const MEDIMAIL_MAX_ATTACHMENTS = 5;

const headerOf = (message: OutgoingMessage, name: string): string | undefined => {
  const entry = Object.entries(message.headers ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return entry?.[1];
};

/** The text of an RPC/encoded return part: node-soap gives either the string or `{ $value }`. */
function partText(result: unknown, part: string): string {
  const v = (result as Record<string, unknown> | undefined)?.[part];
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { $value?: unknown }).$value === 'string') return (v as { $value: string }).$value;
  return '';
}

/** Reads a `<webisend …>` answer: the references, or a TransportError for `<error id>` / a non-OK status. */
export function parseSendResult(xml: string): { ok: true; refs: string; status: string } | { ok: false; error: TransportError } {
  const error = /<error\s+id="([^"]*)"\s*>([\s\S]*?)<\/error>/i.exec(xml);
  if (error) return { ok: false, error: new TransportError('OPERATOR_ERROR', { command: 'send', originalCode: `MEDIMAIL_${error[1]}`, response: xml.slice(0, 500) }) };
  const status = /\bstatus="([^"]*)"/i.exec(xml)?.[1] ?? '';
  const refs = /\brefs="([^"]*)"/i.exec(xml)?.[1] ?? '';
  if (!/^(ok|success|1|true)$/i.test(status)) return { ok: false, error: new TransportError('OPERATOR_ERROR', { command: 'send', originalCode: `MEDIMAIL_STATUS_${status || 'ABSENT'}`, response: xml.slice(0, 500) }) };
  return { ok: true, refs, status };
}

/** Builds the Medimail transport (loads the WSDL once). Throws AUTH_CLIENT_CERT_INVALID for an unreadable PKCS#12. */
export async function createMedimailTransport(opts: MedimailOptions): Promise<Transport> {
  assertUsableCertificate({ kind: 'certificate', mailbox: opts.account, pfx: opts.pfx, passphrase: opts.passphrase });
  const logger = opts.logger || NOOP_LOGGER;
  const separator = opts.addressSeparator ?? ';';
  const agent = new Agent({ minVersion: 'TLSv1.2', ...opts.tls, pfx: opts.pfx, passphrase: opts.passphrase, keepAlive: false });
  let client: Client;
  try {
    client = await createClientAsync(opts.wsdl, { endpoint: opts.endpoint ?? MEDIMAIL_ENDPOINT });
  } catch (err) {
    throw new TransportError('PROTOCOL_ERROR', { cause: err, detail: 'WSDL Medimail illisible' });
  }

  return {
    async submit(message: OutgoingMessage): Promise<SubmitResult> {
      const attachments = message.attachments ?? [];
      if (attachments.length > MEDIMAIL_MAX_ATTACHMENTS) {
        throw new TransportError('MESSAGE_REFUSED', { command: 'send', detail: `Medimail accepte ${MEDIMAIL_MAX_ATTACHMENTS} pièces jointes au plus` });
      }
      const slots: Record<string, { name: string; content: string }> = {};
      attachments.forEach((a, i) => {
        slots[`attachment${i + 1}`] = { name: a.filename, content: a.content.toString('base64') };
      });
      // RPC: the parts in the WSDL's order.
      const args = {
        acount: opts.account,
        signatories: message.to.join(separator),
        recipients: (message.cc ?? []).join(separator),
        title: message.subject,
        message: message.text ?? message.html ?? '',
        attachments: slots,
        loinc: undefined,
        replyTo: undefined,
        inReplyTo: message.inReplyTo,
        mailReferences: message.references?.join(' '),
        accuseReception: undefined,
        ins: headerOf(message, 'X-MSS-INS'),
        codecda: headerOf(message, 'X-MSS-CODECDA'),
        nil: headerOf(message, 'X-MSS-NIL') ?? opts.nil,
      };
      let xml: string;
      try {
        const [result] = (await client.sendAsync(args, { httpsAgent: agent, timeout: opts.timeoutMs ?? 30_000 })) as [unknown];
        xml = partText(result, 'sendResult');
      } catch (err) {
        const mapped = toTransportError(err, { auth: 'certificate', protocol: 'soap' });
        logger.warn({ event: 'medimail.failed', ...mapped.toLog(), mailbox: maskAddress(opts.account) }, 'envoi Medimail refusé');
        throw mapped;
      }
      const parsed = parseSendResult(xml);
      if (!parsed.ok) {
        logger.warn({ event: 'medimail.refused', ...parsed.error.toLog(), mailbox: maskAddress(opts.account) }, 'envoi Medimail refusé');
        throw parsed.error;
      }
      logger.info({ event: 'medimail.sent', ref: parsed.refs, recipients: message.to.length + (message.cc?.length ?? 0), mailbox: maskAddress(opts.account) }, 'message envoyé par Medimail');
      return { messageId: parsed.refs, accepted: [...message.to, ...(message.cc ?? [])], rejected: [], response: `Medimail ${parsed.status}` };
    },
    async openMailbox() {
      // checkbox/open answer formats are not published [?]: reading stays on the operator's own client for now.
      throw new TransportError('OPERATOR_ERROR', { command: 'checkbox', detail: 'lecture de la BAL Medimail non prise en charge par le connecteur' });
    },
    async close() {
      agent.destroy();
    },
  };
}
