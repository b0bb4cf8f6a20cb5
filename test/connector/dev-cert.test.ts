// Runtime: Node (jest). The development certificate: generated once, reused, key mode 0600, SAN for localhost,
// regenerated near expiry.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { ensureDevCertificate } from '../../src/connector/dev-cert';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

describe('ensureDevCertificate', () => {
  it('creates a localhost certificate once, then reuses it', async () => {
    const dataDir = makeTempDir('mss-outlook-cert-');
    const first = await ensureDevCertificate(dataDir);
    expect(first.created).toBe(true);
    const x509 = new X509Certificate(first.cert);
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkPrivateKey(createPrivateKey(first.key))).toBe(true);
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    const days = (new Date(x509.validTo).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(360);

    const second = await ensureDevCertificate(dataDir);
    expect(second.created).toBe(false);
    expect(second.cert).toBe(first.cert);
    expect(second.key).toBe(first.key);
  });

  it('writes the key with mode 0600', async () => {
    const dataDir = makeTempDir('mss-outlook-cert-');
    const { keyFile } = await ensureDevCertificate(dataDir);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('regenerates within 7 days of expiry, and when expired', async () => {
    const dataDir = makeTempDir('mss-outlook-cert-');
    const first = await ensureDevCertificate(dataDir);
    const validTo = new Date(new X509Certificate(first.cert).validTo).getTime();

    const eightDaysBefore = await ensureDevCertificate(dataDir, { now: () => new Date(validTo - 8 * 86_400_000) });
    expect(eightDaysBefore.created).toBe(false);

    const sixDaysBefore = await ensureDevCertificate(dataDir, { now: () => new Date(validTo - 6 * 86_400_000) });
    expect(sixDaysBefore.created).toBe(true);
    expect(sixDaysBefore.cert).not.toBe(first.cert);

    const renewedTo = new Date(new X509Certificate(sixDaysBefore.cert).validTo).getTime();
    const expired = await ensureDevCertificate(dataDir, { now: () => new Date(renewedTo + 1000) });
    expect(expired.created).toBe(true);
  });

  it('replaces a corrupt or mismatched pair, keeping the key private', async () => {
    const dataDir = makeTempDir('mss-outlook-cert-');
    const first = await ensureDevCertificate(dataDir);
    writeFileSync(first.certFile, 'pas un certificat');
    const repaired = await ensureDevCertificate(dataDir);
    expect(repaired.created).toBe(true);

    const other = await ensureDevCertificate(makeTempDir('mss-outlook-cert-'));
    writeFileSync(repaired.keyFile, other.key);
    chmodSync(repaired.keyFile, 0o644);
    const rematched = await ensureDevCertificate(dataDir);
    expect(rematched.created).toBe(true);
    expect(new X509Certificate(rematched.cert).checkPrivateKey(createPrivateKey(rematched.key))).toBe(true);
    expect(statSync(rematched.keyFile).mode & 0o777).toBe(0o600);
  });
});
