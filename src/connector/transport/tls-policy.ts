// Runtime: Node (connector). The TLS options every connection to the MSSanté operator uses (Référentiel #2):
// - ECO.1.1.2: TLS 1.2 only (minVersion = maxVersion = TLSv1.2), otherwise no connection;
// - ECO.1.1.3: exactly the four ECDHE-RSA suites 0xC030, 0xC02F, 0xC028, 0xC027;
// - ECO.1.1.4 / ECO.1.1.10: the server certificate chains to the configured IGC-Santé anchors ONLY (`ca` replaces
//   Node's built-in store, so no public CA is ever trusted), `rejectUnauthorized: true`;
// - ECO.1.1.5: validity dates (OpenSSL checks them, and `checkServerIdentity` again with the injectable clock);
// - ECO.1.1.6 + SC.MSS/CONF.22: revocation against the CRLs of a {@link CrlStore}, checked in `checkServerIdentity`
//   (Node calls it after the chain verified, before any byte of the application protocol is sent).
// The options are plain `tls.ConnectionOptions`, handed to nodemailer (`tls`), imapflow (`tls`) and https agents.

import { X509Certificate } from 'node:crypto';
import { checkServerIdentity as nodeCheckServerIdentity, type ConnectionOptions, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { type CrlStore, cnOf, splitPemCertificates } from './crl-store';
import { TlsCheckError } from './errors';
import { NOOP_LOGGER, type TransportLogger } from './logger';

/** The four suites of ECO.1.1.3, OpenSSL names, in the référentiel's order. */
export const MSSANTE_TLS_CIPHERS = 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256';

/** ECO.1.1.2: TLS 1.2, and only TLS 1.2. */
export const MSSANTE_TLS_VERSION = 'TLSv1.2' as const;

/** Options of {@link createTlsPolicy}. */
export interface TlsPolicyOptions {
  /** PEM of the IGC-Santé trust anchors (root and intermediate CAs). The ONLY CAs trusted. Required. */
  readonly trustAnchors: string | Buffer;
  /**
   * Revocation: a {@link CrlStore} (production), or `'off'` to skip it explicitly (tests of other checks only; the
   * connector's configuration never allows it).
   */
  readonly revocation: CrlStore | 'off';
  /**
   * What to do when the last CRL held for an issuer is past its nextUpdate and the certificate is not on it.
   * `'refuse'` (default, fail closed): TLS_CRL_EXPIRED. `'accept'`: connect and log a warning `crl.stale`.
   * A certificate listed on a stale CRL is refused in both cases.
   */
  readonly staleCrl?: 'refuse' | 'accept';
  /** Clock for the date checks (ms since epoch). Default `Date.now`. */
  readonly now?: () => number;
  /** Logger (codes and CA names only). Default none. */
  readonly logger?: TransportLogger | false;
}

/** What a transport gets from the policy. */
export interface TlsPolicy {
  /** The `tls.connect` options for one connection. `servername` defaults to the host name given by the caller. */
  connectionOptions(extra?: Pick<ConnectionOptions, 'servername' | 'pfx' | 'passphrase'>): ConnectionOptions;
  /** The post-handshake check (exposed for tests): undefined when acceptable, otherwise a {@link TlsCheckError}. */
  verifyPeer(hostname: string, cert: PeerCertificate): Error | undefined;
}

/** The chain the server presented, leaf first, as X509Certificate objects (Node links them by `issuerCertificate`). */
function chainOf(cert: PeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  let cur: DetailedPeerCertificate | undefined = cert as DetailedPeerCertificate;
  for (let i = 0; cur && cur.raw && i < 10; i++) {
    out.push(new X509Certificate(cur.raw));
    if (!cur.issuerCertificate || cur.issuerCertificate === cur || cur.issuerCertificate.raw.equals(cur.raw)) break;
    cur = cur.issuerCertificate;
  }
  return out;
}

/** Builds the TLS policy of the operator connections. Throws (configuration error) without trust anchors. */
export function createTlsPolicy(opts: TlsPolicyOptions): TlsPolicy {
  const anchors = splitPemCertificates(opts.trustAnchors);
  if (anchors.length === 0) throw new Error('Politique TLS : aucune autorité IGC-Santé configurée (PEM attendu dans trustAnchors).');
  const ca = anchors.map((a) => a.toString());
  const now = opts.now ?? Date.now;
  const logger = opts.logger || NOOP_LOGGER;
  const staleCrl = opts.staleCrl ?? 'refuse';

  function verifyPeer(hostname: string, cert: PeerCertificate): Error | undefined {
    const nameError = nodeCheckServerIdentity(hostname, cert);
    if (nameError) return new TlsCheckError('TLS_HOSTNAME_MISMATCH', nameError.message);
    const chain = chainOf(cert);
    if (chain.length === 0) return new TlsCheckError('TLS_UNTRUSTED_CA', 'no certificate');
    const t = now();
    for (const c of chain) {
      if (Date.parse(c.validTo) < t) return new TlsCheckError('TLS_CERT_EXPIRED', cnOf(c.subject));
      if (Date.parse(c.validFrom) > t) return new TlsCheckError('TLS_CERT_NOT_YET_VALID', cnOf(c.subject));
    }
    // The chain must end on one of OUR anchors (OpenSSL already enforced it through `ca`; checked again here so
    // that a mistake in the options can never silently widen the trust).
    const top = chain[chain.length - 1];
    if (!anchors.some((a) => a.raw.equals(top.raw) || top.checkIssued(a))) return new TlsCheckError('TLS_UNTRUSTED_CA', cnOf(top.issuer));
    if (opts.revocation === 'off') return undefined;
    const store = opts.revocation;
    for (const c of chain) {
      if (store.isAnchor(c) && c.checkIssued(c)) continue; // a self-signed root has no CRL of its own
      const status = store.statusOf(c);
      switch (status.status) {
        case 'good':
          break;
        case 'revoked':
          logger.warn({ event: 'tls.revoked', subjectCn: cnOf(c.subject), serial: c.serialNumber }, 'certificat révoqué');
          return new TlsCheckError('TLS_CERT_REVOKED', `${cnOf(c.subject) ?? ''} ${c.serialNumber}`);
        case 'no-crl':
          return new TlsCheckError('TLS_CRL_UNAVAILABLE', cnOf(c.issuer));
        case 'stale':
          if (staleCrl === 'refuse') return new TlsCheckError('TLS_CRL_EXPIRED', `${cnOf(c.issuer) ?? ''} ${status.nextUpdate.toISOString()}`);
          logger.warn({ event: 'crl.stale', issuerCn: cnOf(c.issuer), nextUpdate: status.nextUpdate.toISOString() }, 'CRL expirée acceptée (staleCrl=accept)');
          break;
      }
    }
    return undefined;
  }

  return {
    verifyPeer,
    connectionOptions(extra = {}) {
      return {
        minVersion: MSSANTE_TLS_VERSION,
        maxVersion: MSSANTE_TLS_VERSION,
        ciphers: MSSANTE_TLS_CIPHERS,
        ca,
        rejectUnauthorized: true,
        checkServerIdentity: verifyPeer,
        ...extra,
      };
    },
  };
}
