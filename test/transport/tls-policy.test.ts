// Runtime: Node (jest). The TLS policy of ECO.1.1.2-1.1.6 and the CRL store of SC.MSS/CONF.22, against real TLS
// handshakes on 127.0.0.1:0 with a throw-away IGC-Santé PKI made by the openssl CLI. The clock is injected.

import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, getCiphers, type SecureContextOptions, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { CrlStore } from '../../src/connector/transport/crl-store';
import { toTransportError } from '../../src/connector/transport/errors';
import { MSSANTE_TLS_CIPHERS, createTlsPolicy, type TlsPolicyOptions } from '../../src/connector/transport/tls-policy';
import { makePki, type TestPki } from './helpers/pki';

const DAY = 86_400_000;
let pki: TestPki;
const servers: Server[] = [];

beforeAll(() => {
  pki = makePki();
});
afterAll(() => servers.forEach((s) => s.close()));

async function tlsServer(opts: SecureContextOptions): Promise<number> {
  const server = createServer(opts, (socket) => socket.end('bonjour'));
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/** Connects with the policy; resolves 'ok' with the negotiated version/suite, or the mapped error code. */
async function handshake(port: number, policy: ReturnType<typeof createTlsPolicy>): Promise<{ ok: true; version: string | null; cipher: string } | { ok: false; code: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...policy.connectionOptions({ servername: 'localhost' }) });
    socket.once('secureConnect', () => {
      resolve({ ok: true, version: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.destroy();
    });
    socket.once('error', (err) => resolve({ ok: false, code: toTransportError(err, { auth: 'none', protocol: 'smtp' }).code }));
  });
}

async function storeWith(crls: Buffer[], now = Date.now, dir?: string): Promise<CrlStore> {
  const store = await CrlStore.create({ anchors: pki.anchors, now, dir });
  for (const crl of crls) expect(await store.add(crl)).toMatchObject({ accepted: true });
  return store;
}

describe('connection options', () => {
  test('TLS 1.2 only, exactly the four ECDHE-RSA suites of ECO.1.1.3, only the IGC-Santé anchors, verification on', () => {
    const policy = createTlsPolicy({ trustAnchors: pki.anchors, revocation: 'off' });
    const o = policy.connectionOptions({ servername: 'mss.operateur.test' });
    expect(o).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', rejectUnauthorized: true, servername: 'mss.operateur.test' });
    expect(o.ciphers).toBe('ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256');
    expect(MSSANTE_TLS_CIPHERS.split(':').every((c) => getCiphers().includes(c.toLowerCase()))).toBe(true);
    expect(o.ca).toHaveLength(2); // root + intermediate, never the system store
    expect(typeof o.checkServerIdentity).toBe('function');
  });

  test('no trust anchor is a configuration error', () => {
    expect(() => createTlsPolicy({ trustAnchors: '', revocation: 'off' })).toThrow(/IGC-Santé/);
  });
});

describe('handshakes', () => {
  const policyWith = async (extra: Partial<TlsPolicyOptions> = {}, crls = [pki.rootCrl, pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 7 * DAY))]) =>
    createTlsPolicy({ trustAnchors: pki.anchors, revocation: await storeWith(crls), ...extra });

  test('the operator certificate: TLS 1.2 with one of the four suites', async () => {
    const port = await tlsServer({ key: pki.serverKey, cert: pki.serverChain });
    const r = await handshake(port, await policyWith());
    expect(r).toMatchObject({ ok: true, version: 'TLSv1.2' });
    expect(MSSANTE_TLS_CIPHERS.split(':')).toContain((r as { cipher: string }).cipher);
  });

  test.each([
    // A TLS 1.1-only server answers a TLS 1.2-only client with the same handshake_failure alert as a cipher
    // mismatch: over STARTTLS, tls-diagnosis refines it into TLS_VERSION_REFUSED (test/e2e-transport).
    ['TLS 1.1 only (bare handshake)', 'TLS_CIPHER_REFUSED', { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }],
    ['TLS 1.3 only', 'TLS_VERSION_REFUSED', { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }],
    ['another suite', 'TLS_CIPHER_REFUSED', { ciphers: 'AES128-GCM-SHA256', maxVersion: 'TLSv1.2' }],
  ] as const)('%s → %s', async (_name, code, tls) => {
    const port = await tlsServer({ key: pki.serverKey, cert: pki.serverChain, ...tls });
    expect(await handshake(port, await policyWith())).toEqual({ ok: false, code });
  });

  test('another CA → TLS_UNTRUSTED_CA', async () => {
    const port = await tlsServer({ key: pki.otherKey, cert: pki.otherCert });
    expect(await handshake(port, await policyWith())).toEqual({ ok: false, code: 'TLS_UNTRUSTED_CA' });
  });

  test('revoked → TLS_CERT_REVOKED; the same certificate passes with a CRL from before its revocation', async () => {
    const port = await tlsServer({ key: pki.revokedKey, cert: pki.revokedChain });
    expect(await handshake(port, await policyWith())).toEqual({ ok: false, code: 'TLS_CERT_REVOKED' });
    expect(await handshake(port, await policyWith({}, [pki.rootCrl, pki.interCrlBeforeRevocation]))).toMatchObject({ ok: true });
  });

  test('no CRL for the issuer → TLS_CRL_UNAVAILABLE (fail closed)', async () => {
    const port = await tlsServer({ key: pki.serverKey, cert: pki.serverChain });
    expect(await handshake(port, await policyWith({}, [pki.rootCrl]))).toEqual({ ok: false, code: 'TLS_CRL_UNAVAILABLE' });
  });

  test('validity dates against the injected clock → TLS_CERT_EXPIRED / TLS_CERT_NOT_YET_VALID', async () => {
    const port = await tlsServer({ key: pki.serverKey, cert: pki.serverChain });
    expect(await handshake(port, await policyWith({ now: () => Date.now() + 400 * DAY }))).toEqual({ ok: false, code: 'TLS_CERT_EXPIRED' });
    expect(await handshake(port, await policyWith({ now: () => Date.now() - 2 * DAY }))).toEqual({ ok: false, code: 'TLS_CERT_NOT_YET_VALID' });
  });

  test('wrong host name → TLS_HOSTNAME_MISMATCH', async () => {
    const port = await tlsServer({ key: pki.serverKey, cert: pki.serverChain });
    const policy = await policyWith();
    const code = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port, ...policy.connectionOptions({ servername: 'autre.operateur.test' }) });
      s.once('secureConnect', () => resolve('ok'));
      s.once('error', (e) => resolve(toTransportError(e, { auth: 'none', protocol: 'imap' }).code));
    });
    expect(code).toBe('TLS_HOSTNAME_MISMATCH');
  });
});

describe('CRL store (SC.MSS/CONF.22)', () => {
  test('refuses CRLs it cannot trust: other CA, forged signature, garbage', async () => {
    const store = await CrlStore.create({ anchors: pki.anchors });
    expect(await store.add(pki.otherCrl)).toEqual({ accepted: false, reason: 'unknown-issuer' });
    expect(await store.add(pki.forgedInterCrl)).toEqual({ accepted: false, reason: 'bad-signature' });
    expect(await store.add(Buffer.from('pas une CRL'))).toEqual({ accepted: false, reason: 'unparsable' });
  });

  test('keeps the newest CRL: an older one offered later is refused (no roll-back)', async () => {
    const now = Date.now();
    const store = await storeWith([pki.interCrl(new Date(now - 3_600_000), new Date(now + 7 * DAY))]);
    expect(await store.add(pki.interCrl(new Date(now - 2 * DAY), new Date(now + 5 * DAY)))).toEqual({ accepted: false, reason: 'not-newer' });
  });

  test('the last valid CRL is kept in the data folder and reloaded (signature checked again)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mss-crl-')), 'crl');
    await storeWith([pki.rootCrl, pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 7 * DAY))], Date.now, dir);
    expect(readdirSync(dir).filter((f) => f.endsWith('.crl'))).toHaveLength(2);
    const reloaded = await CrlStore.create({ anchors: pki.anchors, dir });
    expect(reloaded.list()).toHaveLength(2);
    const port = await tlsServer({ key: pki.revokedKey, cert: pki.revokedChain });
    expect(await handshake(port, createTlsPolicy({ trustAnchors: pki.anchors, revocation: reloaded }))).toEqual({ ok: false, code: 'TLS_CERT_REVOKED' });
  });

  test('a download failure keeps the CRL held', async () => {
    const store = await storeWith([pki.rootCrl]);
    const result = await CrlStore.create({ anchors: pki.anchors, fetch: async () => { throw new Error('réseau'); } }).then((s) => s.refresh(['http://crl.invalid/ac.crl']));
    expect(result).toEqual([{ url: 'http://crl.invalid/ac.crl', result: { accepted: false, reason: 'download-failed' } }]);
    expect(store.list()).toHaveLength(1);
  });

  test('expired CRL: refused by default (TLS_CRL_EXPIRED); accepted with a warning when staleCrl="accept"; a listed certificate is refused either way', async () => {
    const now = Date.now();
    const stale = [pki.rootCrl, pki.interCrl(new Date(now - 30 * DAY), new Date(now - 23 * DAY))];
    const good = await tlsServer({ key: pki.serverKey, cert: pki.serverChain });
    const revoked = await tlsServer({ key: pki.revokedKey, cert: pki.revokedChain });
    const refuse = createTlsPolicy({ trustAnchors: pki.anchors, revocation: await storeWith(stale) });
    expect(await handshake(good, refuse)).toEqual({ ok: false, code: 'TLS_CRL_EXPIRED' });
    const warnings: unknown[] = [];
    const accept = createTlsPolicy({ trustAnchors: pki.anchors, revocation: await storeWith(stale), staleCrl: 'accept', logger: { debug() {}, info() {}, error() {}, warn: (o) => warnings.push(o) } });
    expect(await handshake(good, accept)).toMatchObject({ ok: true });
    expect(warnings).toContainEqual(expect.objectContaining({ event: 'crl.stale' }));
    expect(await handshake(revoked, accept)).toEqual({ ok: false, code: 'TLS_CERT_REVOKED' });
  });
});
