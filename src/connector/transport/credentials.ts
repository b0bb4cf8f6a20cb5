// Runtime: Node (connector). What SMTP and IMAP share about authentication: checking an applicative mailbox's
// PKCS#12 before any connection, and the "present the token, and if the operator refuses it, refresh once and
// retry" loop of XOAUTH2 (SC.MSS/CONF.11: reopen automatically while the PSC session is valid).

import { createSecureContext } from 'node:tls';
import { TransportError, toTransportError, type MapContext } from './errors';
import type { AccessToken, OperatorCredentials } from './types';

/** Throws AUTH_CLIENT_CERT_INVALID when the PKCS#12 cannot be opened (bad file or passphrase). */
export function assertUsableCertificate(credentials: OperatorCredentials): void {
  if (credentials.kind !== 'certificate') return;
  try {
    if (!credentials.pfx || credentials.pfx.length === 0) throw new Error('empty PKCS#12');
    createSecureContext({ pfx: credentials.pfx, passphrase: credentials.passphrase });
  } catch (cause) {
    throw new TransportError('AUTH_CLIENT_CERT_INVALID', { cause, originalCode: (cause as { code?: string }).code });
  }
}

/** The TLS extras of a credential: the PKCS#12 for mutual TLS, nothing for PSC. */
export function clientTlsOf(credentials: OperatorCredentials): { pfx?: Buffer; passphrase?: string } {
  return credentials.kind === 'certificate' ? { pfx: credentials.pfx, passphrase: credentials.passphrase } : {};
}

/**
 * Runs `attempt` with the current token; when the operator refuses it (AUTH_TOKEN_REFUSED), forces one refresh
 * and tries again. A second refusal is final: AUTH_TOKEN_EXPIRED if the clock says the token presented had
 * expired, else AUTH_TOKEN_REFUSED. Certificate credentials run once.
 */
export async function withCredentials<T>(
  credentials: OperatorCredentials,
  protocol: MapContext['protocol'],
  now: () => number,
  attempt: (token: AccessToken | undefined) => Promise<T>,
): Promise<T> {
  if (credentials.kind === 'certificate') {
    try {
      return await attempt(undefined);
    } catch (err) {
      throw toTransportError(err, { auth: 'certificate', protocol });
    }
  }
  let token = await credentials.tokens.getAccessToken();
  for (let i = 0; ; i++) {
    try {
      return await attempt(token);
    } catch (err) {
      const mapped = toTransportError(err, { auth: 'psc', protocol, tokenExpired: token.expiresAt <= now() });
      const retriable = mapped.code === 'AUTH_TOKEN_REFUSED' || mapped.code === 'AUTH_TOKEN_EXPIRED';
      if (!retriable || i > 0) throw mapped;
      token = await credentials.tokens.getAccessToken({ forceRefresh: true });
    }
  }
}
