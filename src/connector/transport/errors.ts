// Runtime: Node (connector). The one error-code table of the operator transport layer (STYLE.md rule 2), and the
// mapping of nodemailer / imapflow / Node TLS / SOAP failures onto it, in one place. Every error keeps the protocol
// reply (`response`, `responseCode`, `command`, `serverResponseCode`) as nodemailer and imapflow do, and says in
// French what happened and what to do next. Nothing here ever carries a token, a key or message content.

/** Stable codes of the transport layer, with the French text shown to users and the fix, documented in docs/transport.md. */
export const TRANSPORT_ERRORS = {
  TLS_VERSION_REFUSED: "Le serveur de l'opérateur ne propose pas TLS 1.2 (ECO.1.1.2) : la connexion n'a pas été établie. Signalez-le à l'opérateur.",
  TLS_CIPHER_REFUSED: "Le serveur de l'opérateur ne propose aucune des quatre suites de chiffrement ECDHE-RSA exigées (ECO.1.1.3) : la connexion n'a pas été établie. Signalez-le à l'opérateur.",
  TLS_UNTRUSTED_CA: "Le certificat du serveur n'est pas émis par l'IGC-Santé (ECO.1.1.4, ECO.1.1.10) : la connexion a été refusée. Vérifiez l'adresse du serveur et les autorités IGC-Santé configurées.",
  TLS_CERT_EXPIRED: "Le certificat du serveur de l'opérateur a expiré (ECO.1.1.5) : la connexion a été refusée. Signalez-le à l'opérateur.",
  TLS_CERT_NOT_YET_VALID: "Le certificat du serveur de l'opérateur n'est pas encore valide (ECO.1.1.5) : la connexion a été refusée. Vérifiez l'horloge du poste.",
  TLS_CERT_REVOKED: "Le certificat du serveur de l'opérateur est révoqué (ECO.1.1.6) : la connexion a été refusée. Signalez-le à l'opérateur.",
  TLS_CRL_UNAVAILABLE: "Aucune liste de révocation (CRL) valide de l'IGC-Santé n'est disponible : la révocation du certificat du serveur ne peut pas être vérifiée (ECO.1.1.6, SC.MSS/CONF.22). Vérifiez l'accès aux CRL.",
  TLS_CRL_EXPIRED: "La dernière liste de révocation (CRL) de l'IGC-Santé a expiré et aucune plus récente n'a pu être obtenue (SC.MSS/CONF.22) : la connexion a été refusée. Vérifiez l'accès aux CRL.",
  TLS_HOSTNAME_MISMATCH: "Le certificat du serveur ne correspond pas au nom du serveur configuré : la connexion a été refusée. Vérifiez l'adresse du serveur.",
  TLS_HANDSHAKE_FAILED: "La négociation TLS avec le serveur de l'opérateur a échoué. Réessayez plus tard ; si cela persiste, signalez-le à l'opérateur.",
  STARTTLS_UNAVAILABLE: "Le serveur de l'opérateur ne propose pas STARTTLS : aucune donnée n'a été envoyée en clair. Vérifiez le port (587 pour SMTP, 143 pour IMAP).",
  AUTH_TOKEN_REFUSED: "Le serveur de l'opérateur a refusé le jeton Pro Santé Connect (XOAUTH2). Reconnectez-vous avec Pro Santé Connect.",
  AUTH_TOKEN_EXPIRED: "Le jeton Pro Santé Connect a expiré et n'a pas pu être renouvelé. Reconnectez-vous avec Pro Santé Connect.",
  AUTH_CLIENT_CERT_REFUSED: "Le serveur de l'opérateur n'a pas accepté le certificat IGC-Santé de la BAL applicative (ou aucun certificat n'a été présenté). Vérifiez le certificat (PKCS#12) configuré pour cette BAL.",
  AUTH_CLIENT_CERT_INVALID: "Le certificat PKCS#12 de la BAL applicative est illisible (fichier ou mot de passe incorrect). Vérifiez la configuration de cette BAL.",
  AUTH_MECHANISM_UNAVAILABLE: "Le serveur de l'opérateur ne propose pas l'authentification XOAUTH2 attendue (SC.MSS/CONF.07). Signalez-le à l'opérateur.",
  SESSION_ENDED: "La session Pro Santé Connect est terminée (jeton de rafraîchissement refusé, SC.MSS/CONF.10). Reconnectez-vous avec Pro Santé Connect.",
  PSC_NOT_CONNECTED: "Aucune session Pro Santé Connect n'est ouverte pour cet utilisateur. Connectez-vous avec Pro Santé Connect.",
  PSC_UNAVAILABLE: "Pro Santé Connect ne répond pas : le jeton n'a pas pu être renouvelé. Réessayez dans quelques minutes.",
  CONNECTION_FAILED: "Le serveur de l'opérateur est injoignable. Vérifiez l'adresse, le port et le réseau, puis réessayez.",
  CONNECTION_TIMEOUT: "Le serveur de l'opérateur n'a pas répondu à temps. Réessayez plus tard.",
  RECIPIENT_REFUSED: "L'opérateur a refusé un ou plusieurs destinataires. Vérifiez les adresses MSSanté.",
  MESSAGE_REFUSED: "L'opérateur a refusé le message. Le détail de la réponse du serveur est joint.",
  OPERATOR_ERROR: "L'opérateur a répondu par une erreur. Le détail de la réponse est joint ; réessayez ou signalez-le à l'opérateur.",
  PROTOCOL_ERROR: "Réponse inattendue du serveur de l'opérateur. Réessayez ; si cela persiste, signalez-le.",
} as const;

export type TransportErrorCode = keyof typeof TRANSPORT_ERRORS;

/** All codes, for documentation and exhaustiveness tests. */
export const TRANSPORT_ERROR_CODES = Object.keys(TRANSPORT_ERRORS) as TransportErrorCode[];

/** The protocol reply kept on an error (same names as nodemailer / imapflow). */
export interface ProtocolReply {
  /** Full server reply line, e.g. `535 5.7.8 Error: authentication failed: ...`. */
  readonly response?: string;
  /** SMTP reply code, e.g. 535. */
  readonly responseCode?: number;
  /** The command in flight: `AUTH XOAUTH2`, `RCPT TO`, `STARTTLS`, `AUTHENTICATE`, `send` (SOAP)... */
  readonly command?: string;
  /** IMAP response code, e.g. `AUTHENTICATIONFAILED`. */
  readonly serverResponseCode?: string;
}

/** An error of the transport layer: a stable code, a French message, the protocol reply, the original error. */
export class TransportError extends Error implements ProtocolReply {
  readonly code: TransportErrorCode;
  readonly response?: string;
  readonly responseCode?: number;
  readonly command?: string;
  readonly serverResponseCode?: string;
  /** Code of the underlying library or OpenSSL error (`EAUTH`, `CERT_HAS_EXPIRED`, ...), safe to log. */
  readonly originalCode?: string;
  /** True when retrying later may succeed (network, 4xx replies). */
  readonly transient: boolean;

  constructor(code: TransportErrorCode, options: ProtocolReply & { cause?: unknown; originalCode?: string; transient?: boolean; detail?: string } = {}) {
    super(options.detail ? `${TRANSPORT_ERRORS[code]} (${options.detail})` : TRANSPORT_ERRORS[code], { cause: options.cause });
    this.name = 'TransportError';
    this.code = code;
    if (options.response !== undefined) this.response = options.response;
    if (options.responseCode !== undefined) this.responseCode = options.responseCode;
    if (options.command !== undefined) this.command = options.command;
    if (options.serverResponseCode !== undefined) this.serverResponseCode = options.serverResponseCode;
    if (options.originalCode !== undefined) this.originalCode = options.originalCode;
    this.transient = options.transient ?? false;
  }

  /** What may be logged: codes and reply codes, never the reply text (it can echo addresses). */
  toLog(): Record<string, string | number | boolean | undefined> {
    return { code: this.code, originalCode: this.originalCode, responseCode: this.responseCode, command: this.command, serverResponseCode: this.serverResponseCode, transient: this.transient };
  }
}

/** Marks an error produced by our own certificate checks so that the mapping survives library wrapping. */
export const TLS_CHECK_CODE = Symbol('mss.tlsCheckCode');

/** The error our `checkServerIdentity` returns: Node destroys the socket with it. */
export class TlsCheckError extends Error {
  readonly code: TransportErrorCode;
  readonly [TLS_CHECK_CODE]: TransportErrorCode;
  constructor(code: TransportErrorCode, detail?: string) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'TlsCheckError';
    this.code = code;
    this[TLS_CHECK_CODE] = code;
  }
}

/**
 * OpenSSL / Node TLS failures, by Node error code and by the reason text (nodemailer rewraps TLS errors into
 * `Error initiating TLS - <reason>` with code ETLS, so the reason text is all that is left there).
 */
const TLS_CODE_TABLE: ReadonlyArray<readonly [RegExp, TransportErrorCode]> = [
  [/CERT_REVOKED|certificate revoked/i, 'TLS_CERT_REVOKED'],
  [/CERT_HAS_EXPIRED|certificate has expired/i, 'TLS_CERT_EXPIRED'],
  [/CERT_NOT_YET_VALID|certificate is not yet valid/i, 'TLS_CERT_NOT_YET_VALID'],
  [/CRL_HAS_EXPIRED|CRL has expired/i, 'TLS_CRL_EXPIRED'],
  [/UNABLE_TO_GET_CRL|unable to get certificate CRL/i, 'TLS_CRL_UNAVAILABLE'],
  [/UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED|unable to get local issuer certificate|unable to get issuer certificate|unable to verify the first certificate|self[- ]signed certificate/i, 'TLS_UNTRUSTED_CA'],
  [/ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match/i, 'TLS_HOSTNAME_MISMATCH'],
  [/ERR_SSL_UNSUPPORTED_PROTOCOL|ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION|ERR_SSL_WRONG_VERSION_NUMBER|unsupported protocol|alert protocol version|wrong version number|no protocols available/i, 'TLS_VERSION_REFUSED'],
  [/ERR_SSL_NO_SHARED_CIPHER|ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE|ERR_SSL_NO_CIPHERS_AVAILABLE|ERR_SSL_WRONG_CIPHER_RETURNED|no shared cipher|alert handshake failure|no ciphers available|wrong cipher returned/i, 'TLS_CIPHER_REFUSED'],
];

/** Which TLS code a message/code string denotes, if any. */
export function tlsCodeOf(text: string): TransportErrorCode | undefined {
  const own = /\b(TLS_[A-Z_]+):/.exec(text);
  if (own && own[1] in TRANSPORT_ERRORS) return own[1] as TransportErrorCode;
  for (const [pattern, code] of TLS_CODE_TABLE) if (pattern.test(text)) return code;
  return undefined;
}

/** What the mapper knows about the call in flight. */
export interface MapContext {
  /** `psc`: XOAUTH2 with a Pro Santé Connect token; `certificate`: mutual TLS (applicative mailbox). */
  readonly auth: 'psc' | 'certificate' | 'none';
  /** True when our token source says the token that was presented is past its expiry. */
  readonly tokenExpired?: boolean;
  /** `smtp`, `imap` or `soap`. */
  readonly protocol: 'smtp' | 'imap' | 'soap';
}

interface LibError {
  code?: unknown;
  message?: unknown;
  response?: unknown;
  responseCode?: unknown;
  command?: unknown;
  serverResponseCode?: unknown;
  authenticationFailed?: unknown;
  originalCode?: unknown;
  cause?: unknown;
  rejected?: unknown;
  rejectedErrors?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Walks `cause` chains (and nodemailer's wrapping) to find the first TransportError or TlsCheckError. */
function findOwn(err: unknown): TransportError | TlsCheckError | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof TransportError || cur instanceof TlsCheckError) return cur;
    cur = (cur as LibError).cause;
  }
  return undefined;
}

/**
 * Maps any failure of nodemailer, imapflow, Node `tls`/`net` or the SOAP client onto a {@link TransportError}.
 * Pure function of the error and the context: tested table-driven in test/transport/errors.test.ts.
 */
export function toTransportError(err: unknown, ctx: MapContext): TransportError {
  const own = findOwn(err);
  if (own instanceof TransportError) return own;
  const e = (err ?? {}) as LibError;
  const reply: ProtocolReply & { cause: unknown; originalCode?: string } = {
    cause: err,
    response: str(e.response),
    responseCode: num(e.responseCode),
    command: str(e.command),
    serverResponseCode: str(e.serverResponseCode),
    originalCode: str(e.code) ?? str(e.originalCode),
  };
  // nodemailer overwrites `code` of the errors it relays (ESOCKET...): the symbol keeps ours.
  if (own instanceof TlsCheckError) return new TransportError(own[TLS_CHECK_CODE], { ...reply, originalCode: own[TLS_CHECK_CODE] });

  const code = str(e.code) ?? '';
  const message = str(e.message) ?? String(err);
  const tls = tlsCodeOf(`${code} ${str(e.originalCode) ?? ''} ${message}`);
  if (tls) return new TransportError(tls, reply);

  // STARTTLS missing: imapflow doSTARTTLS ("Server does not support STARTTLS"), nodemailer requireTLS (the server
  // answered STARTTLS with an error: "Error upgrading connection with STARTTLS"). Nothing was sent in clear.
  if (/does not support STARTTLS|STARTTLS is not possible|Error upgrading connection with STARTTLS/i.test(message)) {
    return new TransportError('STARTTLS_UNAVAILABLE', reply);
  }
  if (code === 'ETLS' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return new TransportError('TLS_HANDSHAKE_FAILED', reply);

  // Authentication.
  const authFailed = code === 'EAUTH' || e.authenticationFailed === true || str(e.serverResponseCode) === 'AUTHENTICATIONFAILED';
  if (authFailed || code === 'ENOAUTH') {
    if (/Unsupported authentication mechanism|not supported|no supported/i.test(message) && !num(e.responseCode)) {
      return new TransportError('AUTH_MECHANISM_UNAVAILABLE', reply);
    }
    if (ctx.auth === 'certificate') return new TransportError('AUTH_CLIENT_CERT_REFUSED', reply);
    return new TransportError(ctx.tokenExpired ? 'AUTH_TOKEN_EXPIRED' : 'AUTH_TOKEN_REFUSED', reply);
  }

  // SMTP envelope and data.
  const responseCode = num(e.responseCode);
  if (code === 'EENVELOPE') {
    // Postfix answers 554 5.7.1 "Client host rejected: Access denied" to an unauthenticated client (no
    // certificate, or one from another CA): for an applicative mailbox, that is the certificate being refused.
    if (ctx.auth === 'certificate' && /5\.7\.[0-9]+/.test(str(e.response) ?? message)) {
      return new TransportError('AUTH_CLIENT_CERT_REFUSED', { ...reply, transient: false });
    }
    return new TransportError('RECIPIENT_REFUSED', { ...reply, transient: responseCode !== undefined && responseCode < 500 });
  }
  if (code === 'EMESSAGE') return new TransportError('MESSAGE_REFUSED', { ...reply, transient: responseCode !== undefined && responseCode < 500 });

  // Network.
  if (/^(ETIMEDOUT|ETIMEOUT|ESOCKETTIMEOUT|ECONNECTIONTIMEOUT|ConnectionTimeout|GreetingTimeout|UpgradeTimeout)$/.test(code) || /timed? ?out/i.test(message)) {
    return new TransportError('CONNECTION_TIMEOUT', { ...reply, transient: true });
  }
  if (/^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|ECONNECTION|ESOCKET|EDNS|NoConnection)$/.test(code)) {
    return new TransportError('CONNECTION_FAILED', { ...reply, transient: true });
  }
  if (responseCode !== undefined) {
    return new TransportError('OPERATOR_ERROR', { ...reply, transient: responseCode < 500 });
  }
  return new TransportError(ctx.protocol === 'soap' ? 'OPERATOR_ERROR' : 'PROTOCOL_ERROR', reply);
}
