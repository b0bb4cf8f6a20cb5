// Runtime: Node (jest). The error table of the transport layer and the mapping of library errors onto it,
// table-driven on the error shapes nodemailer, imapflow, Node TLS and the SOAP client really produce.

import { TLS_CHECK_CODE, TRANSPORT_ERRORS, TRANSPORT_ERROR_CODES, TlsCheckError, TransportError, toTransportError, type MapContext } from '../../src/connector/transport/errors';

const psc: MapContext = { auth: 'psc', protocol: 'smtp' };
const err = (message: string, props: Record<string, unknown> = {}) => Object.assign(new Error(message), props);

test('every code has a French message that says what to do', () => {
  expect(TRANSPORT_ERROR_CODES.length).toBeGreaterThanOrEqual(20);
  for (const code of TRANSPORT_ERROR_CODES) {
    expect(code).toMatch(/^[A-Z0-9_]+$/);
    expect(TRANSPORT_ERRORS[code]).toMatch(/[.)]$/);
    expect(TRANSPORT_ERRORS[code].length).toBeGreaterThan(40);
  }
});

test.each([
  // nodemailer wraps TLS failures: code ETLS, the OpenSSL reason in the message
  ['nodemailer ETLS, expired', err('Error initiating TLS - certificate has expired', { code: 'ETLS', command: 'CONN' }), psc, 'TLS_CERT_EXPIRED'],
  ['nodemailer ETLS, other CA', err('Error initiating TLS - unable to get local issuer certificate', { code: 'ETLS' }), psc, 'TLS_UNTRUSTED_CA'],
  ['nodemailer ETLS, self-signed', err('Error initiating TLS - self-signed certificate in certificate chain', { code: 'ETLS' }), psc, 'TLS_UNTRUSTED_CA'],
  ['nodemailer ETLS, protocol alert', err('Error initiating TLS - C0:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version', { code: 'ETLS' }), psc, 'TLS_VERSION_REFUSED'],
  ['nodemailer ETLS, handshake failure', err('Error initiating TLS - ssl3_read_bytes:sslv3 alert handshake failure', { code: 'ETLS' }), psc, 'TLS_CIPHER_REFUSED'],
  ['nodemailer ETLS, other', err('Error initiating TLS - socket hang up', { code: 'ETLS' }), psc, 'TLS_HANDSHAKE_FAILED'],
  ['Node code, revoked', err('certificate revoked', { code: 'CERT_REVOKED' }), psc, 'TLS_CERT_REVOKED'],
  ['Node code, host name', err("Hostname/IP does not match certificate's altnames", { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), psc, 'TLS_HOSTNAME_MISMATCH'],
  ['STARTTLS missing (imapflow doSTARTTLS)', err('Server does not support STARTTLS', { tlsFailed: true }), psc, 'STARTTLS_UNAVAILABLE'],
  ['STARTTLS refused (nodemailer requireTLS)', err('Error upgrading connection with STARTTLS: 502 5.5.1 unknown', { code: 'ETLS', command: 'STARTTLS', responseCode: 502 }), psc, 'STARTTLS_UNAVAILABLE'],
  // authentication
  ['SMTP 535 with a valid-looking token', err('Invalid login: 535 5.7.8 Error: authentication failed', { code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Error: authentication failed', command: 'AUTH XOAUTH2' }), psc, 'AUTH_TOKEN_REFUSED'],
  ['SMTP 535 with an expired token', err('Invalid login', { code: 'EAUTH', responseCode: 535 }), { ...psc, tokenExpired: true }, 'AUTH_TOKEN_EXPIRED'],
  ['IMAP AUTHENTICATIONFAILED', err('Command failed', { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' }), { auth: 'psc', protocol: 'imap' }, 'AUTH_TOKEN_REFUSED'],
  ['IMAP without XOAUTH2', err('Unsupported authentication mechanism', { authenticationFailed: true }), { auth: 'psc', protocol: 'imap' }, 'AUTH_MECHANISM_UNAVAILABLE'],
  ['EAUTH with a certificate', err('Invalid login', { code: 'EAUTH', responseCode: 535 }), { auth: 'certificate', protocol: 'smtp' }, 'AUTH_CLIENT_CERT_REFUSED'],
  ['RCPT 554 5.7.1 for an APP mailbox', err("Can't send mail", { code: 'EENVELOPE', responseCode: 554, response: '554 5.7.1 <localhost[127.0.0.1]>: Client host rejected: Access denied', command: 'RCPT TO' }), { auth: 'certificate', protocol: 'smtp' }, 'AUTH_CLIENT_CERT_REFUSED'],
  ['RCPT 550 unknown user', err("Can't send mail", { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <x@y>: Recipient address rejected', command: 'RCPT TO' }), psc, 'RECIPIENT_REFUSED'],
  ['DATA 552', err('Message failed', { code: 'EMESSAGE', responseCode: 552, command: 'DATA' }), psc, 'MESSAGE_REFUSED'],
  // network
  ['refused', err('connect ECONNREFUSED 127.0.0.1:587', { code: 'ECONNREFUSED' }), psc, 'CONNECTION_FAILED'],
  ['nodemailer ESOCKET', err('socket closed', { code: 'ESOCKET' }), psc, 'CONNECTION_FAILED'],
  ['timeout', err('Connection timeout', { code: 'ETIMEDOUT' }), psc, 'CONNECTION_TIMEOUT'],
  ['SOAP fault', err('soap:Server: compte inconnu'), { auth: 'certificate', protocol: 'soap' }, 'OPERATOR_ERROR'],
  ['anything else', err('???'), psc, 'PROTOCOL_ERROR'],
].map(([name, input, ctx, code]) => [`${name} → ${code}`, input, ctx, code] as const))('%s', (_title, input, ctx, code) => {
  expect(toTransportError(input, ctx as MapContext).code).toBe(code);
});

test('the protocol reply is kept, the original code too', () => {
  const e = toTransportError(err('Invalid login: 535 5.7.8 Error: authentication failed', { code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Error: authentication failed: xx', command: 'AUTH XOAUTH2' }), psc);
  expect(e).toBeInstanceOf(TransportError);
  expect(e).toMatchObject({ code: 'AUTH_TOKEN_REFUSED', responseCode: 535, response: '535 5.7.8 Error: authentication failed: xx', command: 'AUTH XOAUTH2', originalCode: 'EAUTH', transient: false });
  expect(e.message).toBe(TRANSPORT_ERRORS.AUTH_TOKEN_REFUSED);
  expect(e.toLog()).toEqual({ code: 'AUTH_TOKEN_REFUSED', originalCode: 'EAUTH', responseCode: 535, command: 'AUTH XOAUTH2', serverResponseCode: undefined, transient: false });
});

test('our own certificate check survives a library that rewrites `code` (nodemailer sets ESOCKET)', () => {
  const own = new TlsCheckError('TLS_CERT_REVOKED', 'serial 1001');
  (own as unknown as { code: string }).code = 'ESOCKET';
  expect(own[TLS_CHECK_CODE]).toBe('TLS_CERT_REVOKED');
  expect(toTransportError(own, psc).code).toBe('TLS_CERT_REVOKED');
  expect(toTransportError(err('wrapped', { cause: new TlsCheckError('TLS_CRL_EXPIRED') }), psc).code).toBe('TLS_CRL_EXPIRED');
});

test('a TransportError goes through unchanged', () => {
  const e = new TransportError('SESSION_ENDED');
  expect(toTransportError(e, psc)).toBe(e);
});
