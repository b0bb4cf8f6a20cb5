// Runtime: Node (connector). The development TLS certificate: Outlook loads add-ins over HTTPS only
// (learn.microsoft.com/office/dev/add-ins/concepts/requirements-for-running-office-add-ins), so with no
// server.tls configured the connector generates a self-signed certificate for localhost at first start, under
// dataDir (never committed: .data/ is git-ignored), and reuses it until it nears expiry.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** Sub-folder of dataDir holding the development certificate. */
export const DEV_CERT_DIR = 'tls';
export const DEV_CERT_FILE = 'dev-cert.pem';
export const DEV_KEY_FILE = 'dev-key.pem';

/** Validity of a generated certificate. */
const VALIDITY_DAYS = 365;
/** A certificate expiring within this margin is replaced. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

/** Options of {@link ensureDevCertificate}. */
export interface DevCertificateOptions {
  /** Clock, injectable for tests (default: `new Date()`). */
  readonly now?: () => Date;
}

/** The development key pair (PEM) and whether it was just generated. */
export interface DevCertificate {
  readonly key: string;
  readonly cert: string;
  readonly created: boolean;
  readonly certFile: string;
  readonly keyFile: string;
  /** Expiry of the certificate. */
  readonly validTo: Date;
}

/**
 * Returns the development certificate under `<dataDir>/tls/`, generating it (SAN localhost, 127.0.0.1, ::1;
 * RSA 2048, SHA-256, one year) when missing, unreadable, not matching its key, expired or within 7 days of expiry.
 * The key file is written with mode 0600.
 */
export async function ensureDevCertificate(dataDir: string, opts: DevCertificateOptions = {}): Promise<DevCertificate> {
  const now = opts.now ?? (() => new Date());
  const dir = join(dataDir, DEV_CERT_DIR);
  const certFile = join(dir, DEV_CERT_FILE);
  const keyFile = join(dir, DEV_KEY_FILE);

  const existing = readUsable(certFile, keyFile, now());
  if (existing) return { ...existing, created: false, certFile, keyFile };

  const notBefore = new Date(now().getTime() - 60_000);
  const notAfter = new Date(notBefore.getTime() + VALIDITY_DAYS * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'mss-outlook (développement)' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  chmodSync(keyFile, 0o600); // mode is ignored when the file already existed
  writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return { key: pems.private, cert: pems.cert, created: true, certFile, keyFile, validTo: new Date(new X509Certificate(pems.cert).validTo) };
}

function readUsable(certFile: string, keyFile: string, now: Date): { key: string; cert: string; validTo: Date } | undefined {
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    // validFrom/validTo are strings such as "Mar  1 10:00:00 2026 GMT" (validToDate only exists from Node 22.10).
    const validFrom = new Date(x509.validFrom);
    const validTo = new Date(x509.validTo);
    if (Number.isNaN(validFrom.getTime()) || Number.isNaN(validTo.getTime())) return undefined;
    if (now.getTime() < validFrom.getTime()) return undefined;
    if (validTo.getTime() - now.getTime() <= RENEW_BEFORE_MS) return undefined;
    return { key, cert, validTo };
  } catch {
    return undefined;
  }
}
