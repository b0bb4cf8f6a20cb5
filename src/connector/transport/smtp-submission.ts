// Runtime: Node (connector). SMTP submission to the MSSanté operator with nodemailer: port 587, STARTTLS required
// (SC.MSS/CONF.05, RFC 3207), the TLS policy of ECO.1.1.2-1.1.6, then SASL XOAUTH2 with the Pro Santé Connect token
// (SC.MSS/CONF.07) or mutual TLS with the applicative mailbox's IGC-Santé certificate (no SASL: the operator
// authorises the certificate). nodemailer's own logger stays off: its debug transcript would contain the token.

import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { assertUsableCertificate, clientTlsOf } from './credentials';
import { TransportError, toTransportError } from './errors';
import { refineHandshakeError } from './tls-diagnosis';
import { NOOP_LOGGER, maskAddress } from './logger';
import type { AccessToken, OperatorConnectionOptions, OutgoingMessage, SubmitResult } from './types';

/** Options of {@link createSmtpSubmission}. Defaults in brackets; connection options in {@link OperatorConnectionOptions}. */
export interface SmtpSubmissionOptions extends OperatorConnectionOptions {
  /** [os.hostname()] EHLO name. */
  readonly ehloName?: string;
}

/** Submits messages for one mailbox. A connection per submission (no pool: tokens live 4-5 minutes). */
export interface SmtpSubmission {
  submit(message: OutgoingMessage): Promise<SubmitResult>;
}

/** Builds the SMTP submission client. Throws AUTH_CLIENT_CERT_INVALID at once for an unreadable PKCS#12. */
export function createSmtpSubmission(opts: SmtpSubmissionOptions): SmtpSubmission {
  assertUsableCertificate(opts.credentials);
  const logger = opts.logger || NOOP_LOGGER;
  const now = opts.now ?? Date.now;
  const port = opts.port ?? 587;
  const timeout = opts.connectionTimeoutMs ?? 15_000;

  /**
   * One SMTP session. With PSC credentials nodemailer asks `provisionCallback` for the token (renew=false), and if
   * the server refuses it, asks again with renew=true: that second call forces a refresh at PSC (SC.MSS/CONF.11).
   * A second refusal is final. Errors of the token source (SESSION_ENDED...) are kept aside and rethrown as they
   * are: nodemailer would rewrite their `code` into EAUTH.
   */
  async function send(message: OutgoingMessage): Promise<SMTPTransport.SentMessageInfo> {
    const credentials = opts.credentials;
    let lastToken: AccessToken | undefined;
    let tokenError: unknown;
    const auth: SMTPTransport.Options['auth'] =
      credentials.kind === 'psc'
        ? {
            type: 'OAuth2',
            user: credentials.mailbox,
            provisionCallback: (_user, renew, callback) => {
              credentials.tokens.getAccessToken({ forceRefresh: renew }).then(
                (token) => {
                  lastToken = token;
                  callback(null, token.value, token.expiresAt);
                },
                (err: unknown) => {
                  tokenError = err;
                  callback(new Error('token source failed'));
                },
              );
            },
          }
        : undefined;
    const transporter = nodemailer.createTransport({
      host: opts.host,
      port,
      secure: false,
      requireTLS: true, // RFC 3207 STARTTLS, never plaintext
      name: opts.ehloName,
      tls: opts.tlsPolicy.connectionOptions({ servername: opts.servername, ...clientTlsOf(credentials) }),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: opts.socketTimeoutMs ?? 60_000,
      logger: false, // nodemailer's transcript would hold the AUTH line
      debug: false,
      ...(auth ? { auth } : {}),
    });
    try {
      return await transporter.sendMail({
        from: message.from,
        to: [...message.to],
        cc: message.cc ? [...message.cc] : undefined,
        bcc: message.bcc ? [...message.bcc] : undefined,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: message.headers ? { ...message.headers } : undefined,
        attachments: message.attachments?.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
        messageId: message.messageId,
        inReplyTo: message.inReplyTo,
        references: message.references ? [...message.references] : undefined,
        // Field names are case-insensitive (RFC 5322 §1.2.2) but the référentiel spells X-MSS-* (ECO.2.4.x) and
        // operator filters may compare them as written: keep that spelling (nodemailer would write X-Mss-Nil).
        normalizeHeaderKey: (key: string) => (/^x-mss-/i.test(key) ? key.toUpperCase() : key),
      });
    } catch (err) {
      if (tokenError instanceof TransportError) throw tokenError;
      throw toTransportError(err, { auth: credentials.kind, protocol: 'smtp', tokenExpired: lastToken ? lastToken.expiresAt <= now() : false });
    } finally {
      transporter.close();
    }
  }

  return {
    async submit(message) {
      const started = now();
      try {
        const info = await send(message);
        const result: SubmitResult = {
          messageId: info.messageId,
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          response: info.response,
        };
        logger.info({ event: 'smtp.submitted', messageId: result.messageId, accepted: result.accepted.length, rejected: result.rejected.length, mailbox: maskAddress(opts.credentials.mailbox), ms: now() - started }, 'message soumis');
        return result;
      } catch (raw) {
        const err = opts.diagnose === false ? raw : await refineHandshakeError(raw, { protocol: 'smtp', host: opts.host, port, servername: opts.servername });
        const e = err as { toLog?: () => Record<string, unknown> };
        logger.warn({ event: 'smtp.failed', ...(e.toLog ? e.toLog() : {}), mailbox: maskAddress(opts.credentials.mailbox) }, 'soumission refusée');
        throw err;
      }
    },
  };
}
