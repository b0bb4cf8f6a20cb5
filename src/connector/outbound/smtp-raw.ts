// Runtime: Node (connector). Submits an already-built MIME message (mime/build-message.ts) to the operator: SMTP
// submission on port 587 with STARTTLS required (SC.MSS/CONF.05, RFC 3207) and the IGC-Santé TLS policy, SASL
// XOAUTH2 with the Pro Santé Connect token (SC.MSS/CONF.07) or mutual TLS with an applicative mailbox's certificate,
// the envelope given (MAIL FROM / RCPT TO, Bcc included) and the DSN parameters (RFC 3461: MAIL FROM RET=HDRS
// ENVID=<queue id>, RCPT TO NOTIFY=SUCCESS,FAILURE,DELAY) when the operator announces DSN.
// Connections are pooled per mailbox (nodemailer's SMTP pool: a few connections, each reused for up to
// `maxMessages` messages, closed when idle): the session is authenticated once per connection, so a PSC token is
// asked for once per connection, not once per message. nodemailer's own logger stays off (it would log the AUTH line).

import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { assertUsableCertificate } from '../transport/credentials';
import { NOOP_LOGGER, maskAddress } from '../transport/logger';
import { reportSubmissionFailure, submissionError, submissionTransportOptions, type TokenState } from '../transport/smtp-submission';
import type { OperatorConnectionOptions, SubmitResult } from '../transport/types';
import type { DsnRequest } from '../mime/build-message';

/**
 * A built message: its bytes (`raw`) or its composed options (`mail`, mime/build-message.ts composeMessage: serialised
 * by nodemailer while DATA streams, one pass), the envelope and the DSN request.
 */
export interface RawMessage {
  readonly raw?: Buffer;
  readonly mail?: Mail.Options;
  readonly messageId: string;
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly dsn?: DsnRequest;
}

/** Options of {@link createRawSubmission}. Defaults in brackets; connection options in OperatorConnectionOptions. */
export interface RawSubmissionOptions extends OperatorConnectionOptions {
  /** [os.hostname()] EHLO name. */
  readonly ehloName?: string;
  /** [4] Connections kept open at once for this mailbox (match the worker's concurrency). */
  readonly maxConnections?: number;
  /** [100] Messages sent over one connection before it is renewed (and, with PSC, re-authenticated). */
  readonly maxMessages?: number;
}

/** A pooled submission client for one mailbox. */
export interface RawSubmission {
  submit(message: RawMessage): Promise<SubmitResult>;
  /** Closes the pooled connections (QUIT). */
  close(): void;
}

/** Builds the client (connections are opened on the first message). Throws AUTH_CLIENT_CERT_INVALID for an unreadable PKCS#12. */
export function createRawSubmission(opts: RawSubmissionOptions): RawSubmission {
  assertUsableCertificate(opts.credentials);
  const logger = opts.logger || NOOP_LOGGER;
  const now = opts.now ?? Date.now;
  const credentials = opts.credentials;
  // one token state for the pool: nodemailer provisions the token per new connection (transport/smtp-submission.ts)
  const state: TokenState = {};
  const transporter = nodemailer.createTransport({
    ...submissionTransportOptions(opts, state),
    pool: true,
    maxConnections: opts.maxConnections ?? 4,
    maxMessages: opts.maxMessages ?? 100,
  } as SMTPPool.Options);
  // an idle pooled connection dropped by the operator is replaced on the next message; nothing to report
  transporter.on('error', () => undefined);

  return {
    async submit(message) {
      const started = now();
      try {
        let info: SMTPPool.SentMessageInfo;
        try {
          if (!message.mail && !message.raw) throw new TypeError('RawMessage: raw or mail required');
          info = await transporter.sendMail({
            ...(message.mail ?? { raw: message.raw }),
            envelope: { from: message.envelope.from, to: [...message.envelope.to] },
            messageId: message.messageId,
            ...(message.dsn ? { dsn: { id: message.dsn.id, return: message.dsn.return, notify: [...message.dsn.notify], ...(message.dsn.recipient ? { recipient: message.dsn.recipient } : {}) } } : {}),
          });
        } catch (err) {
          throw submissionError(err, credentials, state, now);
        }
        const result: SubmitResult = {
          messageId: message.messageId,
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          response: info.response,
        };
        logger.info({ event: 'smtp.submitted', messageId: result.messageId, accepted: result.accepted.length, rejected: result.rejected.length, mailbox: maskAddress(credentials.mailbox), ms: now() - started }, 'message soumis');
        return result;
      } catch (raw) {
        throw await reportSubmissionFailure(raw, opts);
      }
    },
    close() {
      transporter.close();
    },
  };
}
