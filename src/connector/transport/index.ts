// Runtime: Node (connector). The operator transport layer: what the rest of the connector imports.
export { CrlStore, type CrlStoreOptions, type RevocationStatus } from './crl-store';
export { TRANSPORT_ERRORS, TRANSPORT_ERROR_CODES, TransportError, toTransportError, type TransportErrorCode, type ProtocolReply } from './errors';
export { openImapSession, type ImapSessionOptions } from './imap-session';
export { NOOP_LOGGER, maskAddress, type TransportLogger } from './logger';
export { MEDIMAIL_ENDPOINT, MEDIMAIL_MAX_ATTACHMENTS, createMedimailTransport, type MedimailOptions } from './medimail-soap';
export { createOperatorTransport, type OperatorTransportOptions } from './operator-transport';
export { createSmtpSubmission, type SmtpSubmissionOptions, type SmtpSubmission } from './smtp-submission';
export { diagnoseStartTls, type HandshakeDiagnosis } from './tls-diagnosis';
export { MSSANTE_TLS_CIPHERS, MSSANTE_TLS_VERSION, createTlsPolicy, type TlsPolicy, type TlsPolicyOptions } from './tls-policy';
export type { AccessToken, AccessTokenSource, FetchedMessage, MailboxSession, OperatorCredentials, OutgoingAttachment, OutgoingMessage, SubmitResult, Transport } from './types';
