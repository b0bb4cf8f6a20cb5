// Runtime: Node (jest). Scheduled CRL downloads (transport/crl-scheduler.ts) into the real CrlStore, from a local HTTP
// server publishing the CRLs of a throw-away IGC-Santé PKI made by the openssl CLI (helpers/pki.ts): configured URLs and
// the anchors' CRL Distribution Points, the first run at start(), the schedule with jitter (short real intervals), the
// last valid CRL kept when the publication point fails (SC.MSS/CONF.22), the log alerts (codes and CA names only) when a
// CRL in use passes its nextUpdate or an anchor has none; and the outbound.crl* settings.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/connector/config';
import { CrlStore } from '../../src/connector/transport/crl-store';
import { createCrlScheduler, crlDistributionPoints } from '../../src/connector/transport/crl-scheduler';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';
import { makePki, type TestPki } from './helpers/pki';

const DAY = 86_400_000;
let pki: TestPki;
let server: Server;
let base: string;
let failing = false;
let inter: Buffer;
const hits: string[] = [];
const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
const logger = {
  debug: (obj: Record<string, unknown>, msg?: string) => lines.push({ level: 'debug', obj, msg }),
  info: (obj: Record<string, unknown>, msg?: string) => lines.push({ level: 'info', obj, msg }),
  warn: (obj: Record<string, unknown>, msg?: string) => lines.push({ level: 'warn', obj, msg }),
  error: (obj: Record<string, unknown>, msg?: string) => lines.push({ level: 'error', obj, msg }),
};

beforeAll(async () => {
  pki = makePki();
  inter = pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 7 * DAY));
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = req.url === '/root.crl' ? pki.rootCrl : req.url === '/inter.crl' ? inter : undefined;
    res.statusCode = failing ? 503 : body ? 200 : 404;
    res.end(failing ? 'indisponible' : body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  removeTempDirs();
});
beforeEach(() => {
  failing = false;
  hits.length = 0;
  lines.length = 0;
});

const revokedLeaf = () => new X509Certificate(pki.revokedChain.toString().split(/(?=-----BEGIN CERTIFICATE-----)/)[0]);
const goodLeaf = () => new X509Certificate(pki.serverChain.toString().split(/(?=-----BEGIN CERTIFICATE-----)/)[0]);

test('start(): the first run downloads every CRL at once; the TLS check can then tell good from revoked', async () => {
  const store = await CrlStore.create({ anchors: pki.anchors });
  expect(store.statusOf(goodLeaf())).toEqual({ status: 'no-crl' });
  const s = createCrlScheduler({ store, urls: [`${base}/root.crl`, `${base}/inter.crl`], anchors: pki.anchors, logger });
  try {
    s.start();
    const report = await s.runNow(); // shares the run start() began
    expect(report).toMatchObject({ downloaded: 2, failed: 0, expired: [], missing: [] });
    expect(hits.filter((h) => h === '/inter.crl')).toHaveLength(1);
    expect(store.statusOf(revokedLeaf())).toEqual({ status: 'revoked' });
    expect(store.statusOf(goodLeaf())).toMatchObject({ status: 'good' });
  } finally {
    s.stop();
  }
});

test('the schedule repeats every intervalMs with its jitter, and stop() ends it', async () => {
  const store = await CrlStore.create({ anchors: pki.anchors });
  const s = createCrlScheduler({ store, urls: [`${base}/inter.crl`], intervalMs: 150, jitter: 0.1, logger });
  s.start();
  await new Promise((r) => setTimeout(r, 700));
  s.stop();
  const runs = hits.length;
  expect(runs).toBeGreaterThanOrEqual(3); // 0, ~150, ~300, ~450, ~600 ms
  expect(runs).toBeLessThanOrEqual(6);
  await new Promise((r) => setTimeout(r, 400));
  expect(hits.length).toBe(runs);
  // jitter: the delay is spread over [0.9, 1.1] × interval (no two instances in lock-step)
  const at = (random: number) => createCrlScheduler({ store, urls: [`${base}/inter.crl`], intervalMs: 6 * 3_600_000, random: () => random }).runNow();
  expect((await at(0)).nextInMs).toBe(Math.round(6 * 3_600_000 * 0.9));
  expect((await at(1)).nextInMs).toBe(Math.round(6 * 3_600_000 * 1.1));
});

test('publication point down: the last valid CRL is kept (CONF.22), retry after retryMs, and once stale it is alerted', async () => {
  let t = Date.now();
  const dir = makeTempDir('mss-crl-sched-');
  const store = await CrlStore.create({ anchors: pki.anchors, dir, now: () => t });
  const s = createCrlScheduler({ store, urls: [`${base}/root.crl`, `${base}/inter.crl`], anchors: pki.anchors, retryMs: 900_000, jitter: 0, now: () => t, logger });
  expect((await s.runNow()).downloaded).toBe(2);
  failing = true;
  const down = await s.runNow();
  expect(down).toMatchObject({ downloaded: 0, failed: 2, expired: [], missing: [], nextInMs: 900_000 });
  expect(store.statusOf(revokedLeaf())).toEqual({ status: 'revoked' }); // still the CRL of the last good run
  expect(store.list()).toHaveLength(2);
  // eight days later, still down: the CRLs in use are past their nextUpdate
  t += 8 * DAY;
  lines.length = 0;
  const stale = await s.runNow();
  expect([...stale.expired].sort()).toEqual(['AC IGC-SANTE ELEMENTAIRE ORGANISATIONS TEST', 'AC RACINE IGC-SANTE TEST']);
  expect(stale.nextInMs).toBe(900_000);
  expect(store.statusOf(goodLeaf())).toMatchObject({ status: 'stale' });
  expect(store.statusOf(revokedLeaf())).toEqual({ status: 'revoked' }); // revocation is final
  const alerts = lines.filter((l) => l.obj.event === 'crl.expired');
  expect(alerts).toHaveLength(2);
  expect(alerts[0]).toMatchObject({ level: 'warn', obj: { issuerCn: expect.stringMatching(/^AC /), nextUpdate: expect.any(String) }, msg: expect.stringContaining('TLS_CRL_EXPIRED') });
  // codes and CA names only: no URL, no path, no CRL bytes in the logs
  const all = JSON.stringify(lines);
  expect(all).not.toContain(base);
  expect(all).not.toContain(dir);
  // back up: the next run takes fresh CRLs again (a new one is issued "now" for the test)
  failing = false;
  const current = inter;
  inter = pki.interCrl(new Date(t - 3_600_000), new Date(t + 7 * DAY));
  try {
    const back = await s.runNow();
    expect(back.downloaded).toBeGreaterThanOrEqual(1);
    expect(back.expired).toEqual(['AC RACINE IGC-SANTE TEST']); // the root CRL served is still the old one
  } finally {
    inter = current;
  }
});

test('an anchor without any CRL is alerted (crl.missing, TLS_CRL_UNAVAILABLE ahead); the next run comes sooner', async () => {
  const store = await CrlStore.create({ anchors: pki.anchors });
  const s = createCrlScheduler({ store, urls: [`${base}/inter.crl`], anchors: pki.anchors, retryMs: 60_000, jitter: 0, logger });
  const r = await s.runNow();
  expect(r.missing).toEqual(['AC RACINE IGC-SANTE TEST']);
  expect(r.nextInMs).toBe(60_000);
  expect(lines.find((l) => l.obj.event === 'crl.missing')).toMatchObject({ level: 'warn', obj: { issuerCn: 'AC RACINE IGC-SANTE TEST' } });
});

test('the next run is never later than the earliest nextUpdate of the CRLs held', async () => {
  const t = Math.floor(Date.now() / 1000) * 1000; // CRL dates have whole seconds
  const store = await CrlStore.create({ anchors: pki.anchors });
  const soon = pki.interCrl(new Date(t - 3_600_000), new Date(t + 2 * 3_600_000));
  expect(await store.add(soon)).toMatchObject({ accepted: true });
  expect(await store.add(pki.rootCrl)).toMatchObject({ accepted: true });
  const s = createCrlScheduler({ store, anchors: pki.anchors, intervalMs: 6 * 3_600_000, jitter: 0, now: () => t });
  const r = await s.runNow();
  expect(r.nextInMs).toBe(2 * 3_600_000);
});

test("CRL Distribution Points are read from the anchors (http and https only) and downloaded", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mss-cdp-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-subj', '/CN=AC CDP TEST', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:true', '-addext', `crlDistributionPoints=URI:${base}/root.crl,URI:ldap://ldap.example/cn=AC,URI:${base}/inter.crl`, '-out', 'c.pem'], { cwd: dir, stdio: 'ignore' });
  const withCdp = readFileSync(join(dir, 'c.pem'), 'utf8');
  expect(crlDistributionPoints(withCdp)).toEqual([`${base}/root.crl`, `${base}/inter.crl`]);
  expect(crlDistributionPoints(pki.anchors)).toEqual([]); // the test PKI has none
  const anchors = `${pki.anchors}${withCdp}`;
  const store = await CrlStore.create({ anchors });
  const s = createCrlScheduler({ store, urls: [`${base}/inter.crl`], anchors, logger });
  expect(s.urls).toEqual([`${base}/inter.crl`, `${base}/root.crl`]); // configured first, no duplicates
  expect(await s.runNow()).toMatchObject({ downloaded: 2, missing: ['AC CDP TEST'] });
});

describe('outbound.crlUrls and outbound.crlRefreshHours', () => {
  const load = (env: Record<string, string>, file?: object) => {
    const dir = makeTempDir('mss-crl-config-');
    const path = join(dir, 'config.json');
    if (file) require('node:fs').writeFileSync(path, JSON.stringify(file));
    return loadConfig({ env: { MSS_DATA_DIR: join(dir, 'data'), ...env }, cwd: dir, ...(file ? { file: path } : {}) });
  };
  const problems = (env: Record<string, string>, file?: object): string => {
    try {
      load(env, file);
      return '';
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.join('\n');
      throw e;
    }
  };
  test('defaults: no URL (the anchors\' distribution points only), every 6 hours', () => {
    expect(load({}).outbound).toMatchObject({ crlUrls: [], crlRefreshHours: 6 });
  });
  test('a comma-separated list in MSS_CRL_URLS, a JSON list in the file', () => {
    expect(load({ MSS_CRL_URLS: 'http://igc-sante.esante.gouv.fr/CRL/ACI-EL-ORG.crl, https://crl.example.fr/b.crl', MSS_CRL_REFRESH_HOURS: '12' }).outbound).toMatchObject({
      crlUrls: ['http://igc-sante.esante.gouv.fr/CRL/ACI-EL-ORG.crl', 'https://crl.example.fr/b.crl'],
      crlRefreshHours: 12,
    });
    expect(load({}, { outbound: { crlUrls: ['http://a.example/a.crl'] } }).outbound.crlUrls).toEqual(['http://a.example/a.crl']);
  });
  test.each([
    [{ MSS_CRL_URLS: 'ldap://x/cn=a' }, undefined, /outbound\.crlUrls : chaque élément doit être une URL http:\/\/ ou https:\/\/.*MSS_CRL_URLS/],
    [{}, { outbound: { crlUrls: 'http://a.example/a.crl' } }, /outbound\.crlUrls : doit être une liste/],
    [{ MSS_CRL_REFRESH_HOURS: '0' }, undefined, /outbound\.crlRefreshHours : doit être un entier entre 1 et 168/],
  ])('%j %j is refused with a message naming the setting and the fix', (env, file, expected) => {
    expect(problems(env as Record<string, string>, file)).toMatch(expected);
  });
});
