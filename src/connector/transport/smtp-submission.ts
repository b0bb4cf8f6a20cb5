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
import type { AccessToken, OperatorConnectionOptions, OperatorCredentials, OutgoingMessage, SubmitResult } from './types';

/** Options of {@link createSmtpSubmission}. Defaults in brackets; connection options in {@link OperatorConnectionOptions}. */
export interface SmtpSubmissionOptions extends OperatorConnectionOptions {
  /** [os.hostname()] EHLO name. */
  readonly ehloName?: string;
}

/** Submits messages for one mailbox. A connection per submission (no pool: tokens live 4-5 minutes). */
export interface SmtpSubmission {
  submit(message: OutgoingMessage): Promise<SubmitResult>;
}

/** What a submission remembers of its token source, to tell an expired token or a failed source from a refusal. */
export interface TokenState {
  lastToken?: AccessToken;
  tokenError?: unknown;
}

/**
 * nodemailer's XOAUTH2 for PSC credentials (undefined for an applicative mailbox: mutual TLS, no SASL). nodemailer asks
 * `provisionCallback` for the token at each new connection (renew=false) and, when the server refused it, again with
 * renew=true: that second call forces a refresh at PSC (SC.MSS/CONF.11); a second refusal is final. Errors of the
 * token source (SESSION_ENDED...) are kept in `state` and rethrown as they are by {@link submissionError} (nodemailer
 * would rewrite their `code` into EAUTH).
 */
export function xoauth2Auth(credentials: OperatorCredentials, state: TokenState): SMTPTransport.Options['auth'] {
  if (credentials.kind !== 'psc') return undefined;
  return {
    type: 'OAuth2',
    user: credentials.mailbox,
    provisionCallback: (_user, renew, callback) => {
      credentials.tokens.getAccessToken({ forceRefresh: renew }).then(
        (token) => {
          state.lastToken = token;
          state.tokenError = undefined;
          callback(null, token.value, token.expiresAt);
        },
        (err: unknown) => {
          state.tokenError = err;
          callback(new Error('token source failed'));
        },
      );
    },
  };
}

/**
 * The nodemailer connection options of a submission to the operator (one-shot or pooled): port [587], STARTTLS
 * required (RFC 3207, never plaintext), the IGC-Santé TLS policy with the applicative mailbox's certificate when there
 * is one, timeouts, nodemailer's logger off (its transcript would hold the AUTH line), XOAUTH2 for PSC credentials.
 */
export function submissionTransportOptions(opts: SmtpSubmissionOptions, state: TokenState): SMTPTransport.Options {
  const timeout = opts.connectionTimeoutMs ?? 15_000;
  const auth = xoauth2Auth(opts.credentials, state);
  return {
    host: opts.host,
    port: opts.port ?? 587,
    secure: false,
    requireTLS: true, // RFC 3207 STARTTLS, never plaintext
    name: opts.ehloName,
    tls: opts.tlsPolicy.connectionOptions({ servername: opts.servername, ...clientTlsOf(opts.credentials) }),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
    logger: false, // nodemailer's transcript would hold the AUTH line
    debug: false,
    ...(auth ? { auth } : {}),
  };
}

/** A nodemailer failure as a TransportError (the token source's own error first). */
export function submissionError(err: unknown, credentials: OperatorCredentials, state: TokenState, now: () => number): TransportError {
  if (state.tokenError instanceof TransportError) return state.tokenError;
  return toTransportError(err, { auth: credentials.kind, protocol: 'smtp', tokenExpired: state.lastToken ? state.lastToken.expiresAt <= now() : false });
}

/** Diagnoses a failed submission (TLS handshake details), logs it with ids and codes only, and returns the error to throw. */
export async function reportSubmissionFailure(raw: unknown, opts: SmtpSubmissionOptions): Promise<unknown> {
  const logger = opts.logger || NOOP_LOGGER;
  const err = opts.diagnose === false ? raw : await refineHandshakeError(raw, { protocol: 'smtp', host: opts.host, port: opts.port ?? 587, servername: opts.servername });
  const e = err as { toLog?: () => Record<string, unknown> };
  logger.warn({ event: 'smtp.failed', ...(e.toLog ? e.toLog() : {}), mailbox: maskAddress(opts.credentials.mailbox) }, 'soumission refusée');
  return err;
}

/** Builds the SMTP submission client. Throws AUTH_CLIENT_CERT_INVALID at once for an unreadable PKCS#12. */
export function createSmtpSubmission(opts: SmtpSubmissionOptions): SmtpSubmission {
  assertUsableCertificate(opts.credentials);
  const logger = opts.logger || NOOP_LOGGER;
  const now = opts.now ?? Date.now;

  /** One SMTP session (a connection per submission: tokens live 4-5 minutes). */
  async function send(message: OutgoingMessage): Promise<SMTPTransport.SentMessageInfo> {
    const state: TokenState = {};
    const transporter = nodemailer.createTransport(submissionTransportOptions(opts, state));
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
      throw submissionError(err, opts.credentials, state, now);
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
        throw await reportSubmissionFailure(raw, opts);
      }
    },
  };
}
