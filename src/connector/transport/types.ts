// Runtime: Node (connector). The contracts of the operator transport: one `Transport` interface for the standard
// MSSanté interface (SMTP submission + IMAP, Référentiel #2) and for operators with their own API (Medimail SOAP).
import type { TransportLogger } from './logger';
import type { TlsPolicy } from './tls-policy';

/** A Pro Santé Connect access token with its expiry, as handed to SASL XOAUTH2. Never logged, never persisted. */
export interface AccessToken {
  readonly value: string;
  /** Expiry, ms since epoch (from `expires_in` when the token was obtained). */
  readonly expiresAt: number;
}

/** Where a transport gets the current access token of one user (the PSC client implements it, in memory only). */
export interface AccessTokenSource {
  /**
   * The current access token, refreshed transparently while the refresh token is valid. `forceRefresh` is used
   * after the operator refused a token the clock still considered valid. Rejects with a TransportError coded
   * SESSION_ENDED (refresh token refused, CONF.10), PSC_NOT_CONNECTED or PSC_UNAVAILABLE.
   */
  getAccessToken(options?: { readonly forceRefresh?: boolean }): Promise<AccessToken>;
}

/** How the connector authenticates one mailbox (BAL) to the operator (Référentiel #2, "API LPS"). */
export type OperatorCredentials =
  /** Personal (PER/CAB) and organisational (ORG) mailboxes: PSC token over SASL XOAUTH2 (SC.MSS/CONF.07). */
  | { readonly kind: 'psc'; readonly mailbox: string; readonly tokens: AccessTokenSource }
  /**
   * Applicative (APP) mailboxes: the organisation's IGC-Santé certificate (PKCS#12, "gamme Élémentaire
   * Organisation", SC.MSS/CONF.27) for mutual TLS. The key stays in memory; the file is read by the caller.
   */
  | { readonly kind: 'certificate'; readonly mailbox: string; readonly pfx: Buffer; readonly passphrase: string };

/** One attachment. */
export interface OutgoingAttachment {
  readonly filename: string;
  readonly content: Buffer;
  readonly contentType?: string;
}

/** A message to submit. Addresses are already normalised and CR/LF-free (validated where data enters). */
export interface OutgoingMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  /** Extra headers, e.g. `X-MSS-NIL`, `X-MSS-INS`, `X-MSS-CODECDA`, `X-MSS-MES` (built by src/core). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly attachments?: readonly OutgoingAttachment[];
  readonly messageId?: string;
  readonly inReplyTo?: string;
  readonly references?: readonly string[];
}

/** What the operator said about a submission. */
export interface SubmitResult {
  /** Message-ID (SMTP) or the operator's reference (API operators). */
  readonly messageId: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  /** Last server reply (`250 2.0.0 Ok: queued as ...`) or the operator's status. */
  readonly response: string;
}

/** A message read back from the mailbox. */
export interface FetchedMessage {
  readonly uid: number;
  readonly messageId?: string;
  readonly subject?: string;
  readonly from?: string;
  readonly date?: Date;
  /** The full RFC 5322 source. */
  readonly source: Buffer;
}

/** An open mailbox (IMAP session). */
export interface MailboxSession {
  /** Folder paths, e.g. `INBOX`. */
  listMailboxes(): Promise<readonly string[]>;
  /** The last `limit` messages of `mailbox` (default INBOX, 20), newest last. */
  fetchRecent(options?: { readonly mailbox?: string; readonly limit?: number }): Promise<readonly FetchedMessage[]>;
  close(): Promise<void>;
}

/** The connector's client toward one operator, for one mailbox. All failures reject with a TransportError. */
export interface Transport {
  submit(message: OutgoingMessage): Promise<SubmitResult>;
  openMailbox(): Promise<MailboxSession>;
  close(): Promise<void>;
}

/**
 * What an SMTP submission and an IMAP session to the operator have in common. Defaults in brackets; each protocol
 * documents its own port and timeouts.
 */
export interface OperatorConnectionOptions {
  /** Operator's host. */
  readonly host: string;
  /** Port (STARTTLS): [587] for submission, [143] for IMAP. */
  readonly port?: number;
  /** [host] Name expected in the server certificate (when `host` is an IP address, for instance). */
  readonly servername?: string;
  readonly tlsPolicy: TlsPolicy;
  readonly credentials: OperatorCredentials;
  /** [15000] Connection, greeting and STARTTLS timeouts, ms. */
  readonly connectionTimeoutMs?: number;
  /** Inactivity timeout, ms: [60000] for submission, [300000] for IMAP. */
  readonly socketTimeoutMs?: number;
  /** [none] Logger: ids and codes only. */
  readonly logger?: TransportLogger | false;
  /** [Date.now] Clock. */
  readonly now?: () => number;
  /** [true] After a `handshake_failure`, one diagnostic handshake tells TLS_VERSION_REFUSED from TLS_CIPHER_REFUSED (tls-diagnosis.ts). */
  readonly diagnose?: boolean;
}
