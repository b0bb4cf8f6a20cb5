// Runtime: Node (jest). The production path an administrator follows, from a clean copy of the project (package.json,
// tsconfig, webpack config, src/ and assets/ copied into a temporary folder, node_modules linked): `npm run build`
// (tsc to build/, webpack --mode production to dist/) then `npm run start:prod` (NODE_ENV=production) as a child
// process on 127.0.0.1 and a free port with a given certificate. The shared build/ and dist/ of the other test runs
// are never touched. Checks: minified bundles, no harness, no source maps; the connector serves /api/health and the
// task pane over TLS with that certificate, not the harness; without a certificate it refuses to start with a French
// message and creates no development certificate; the manifest rendered for the build address passes
// `mss-outlook manifest --check` against the built files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';
import { runCli } from '../../src/cli/main';
import { ConfigError } from '../../src/connector/config';
import { startConnector } from '../../src/connector/server';
import { testConfig } from '../helpers/connector';
import { removeTempDirs } from '../helpers/tmp';
import { associatedFunctionNames } from '../../src/cli/manifest-validate';

const ROOT = join(__dirname, '..', '..');
const CERT_CN = 'mss-prod-test.exemple';
const PUBLIC_URL = 'https://mss.ehpad-tilleuls.example';

jest.setTimeout(420_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Got {
  status: number;
  type: string;
  body: string;
  peerCn: string;
}

function get(url: string, ca: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername: CERT_CN, checkServerIdentity: () => undefined }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body, peerCn: String(peer.subject?.CN ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `npm run start:prod` in its own process group (stopped by group id); resolves when ready or when it exits. */
function startProd(cwd: string, env: Record<string, string>): { child: ChildProcess; done: Promise<{ ready: boolean; code: number | null; out: string }> } {
  const child = spawn('npm', ['run', 'start:prod', '--silent'], {
    cwd,
    detached: true,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), MSS_HOST: '127.0.0.1', MSS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const done = new Promise<{ ready: boolean; code: number | null; out: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ ready: false, code: null, out: `${out}\n(60 s sans ligne « prêt »)` }), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      if (/prêt sur/.test(out)) {
        clearTimeout(timer);
        resolve({ ready: true, code: null, out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ ready: false, code, out });
    });
  });
  return { child, done };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  await exited;
}

afterAll(removeTempDirs);

describe('startConnector({ production: true }) in-process (what main() passes under NODE_ENV=production)', () => {
  it('refuses the development certificate before opening anything, naming the settings to give', async () => {
    const config = testConfig({ server: { host: '127.0.0.1', port: 0 } });
    const started = startConnector({ config, logger: false, production: true });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/server\.tls : en production \(NODE_ENV=production\), le certificat de développement est refusé.*MSS_TLS_CERT et MSS_TLS_KEY \(ou server\.tls\.certFile et server\.tls\.keyFile\)/);
    // nothing was created: no development certificate, no database
    expect(existsSync(config.dataDir) ? readdirSync(config.dataDir) : []).toEqual([]);
  });

  it('starts with a given certificate; an explicitly enabled harness is announced in French', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mss-prod-inproc-'));
    try {
      const pems = await generate([{ name: 'commonName', value: CERT_CN }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' });
      writeFileSync(join(dir, 'cert.pem'), pems.cert);
      writeFileSync(join(dir, 'key.pem'), pems.private, { mode: 0o600 });
      const base = testConfig();
      const config = { ...base, server: { ...base.server, host: '127.0.0.1', port: 0, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } }, harness: { enabled: true } };
      const printed: string[] = [];
      const running = await startConnector({ config, logger: false, production: true, print: (l) => printed.push(l) });
      try {
        expect(printed).toContain('Attention : harnais de démonstration activé en production (harness.enabled / MSS_HARNESS) : /harness.html est servi. Retirez ce réglage sur un serveur ouvert aux utilisateurs.');
        expect(printed.some((l) => l.startsWith('Certificat de développement créé'))).toBe(false);
        const health = await get(`${running.url}/api/health`, pems.cert);
        expect(health.status).toBe(200);
        expect(health.peerCn).toBe(CERT_CN);
      } finally {
        await running.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('production build and start (npm run build, npm run start:prod)', () => {
  let work: string;
  let pkg: string;
  let out: string;
  let cert: string;
  let key: string;
  let build: { status: number | null; output: string };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mss-prod-'));
    // a clean copy of what a deployment checks out; node_modules as `npm ci` would leave it (linked)
    pkg = join(work, 'mss-outlook');
    mkdirSync(pkg);
    for (const f of ['package.json', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.node.json', 'webpack.config.js']) copyFileSync(join(ROOT, f), join(pkg, f));
    for (const d of ['src', 'assets']) cpSync(join(ROOT, d), join(pkg, d), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    out = join(pkg, 'dist');
    // as the admin guide says: the public address given at build time (the Smart Alerts script embeds it)
    const res = spawnSync('npm', ['run', 'build', '--silent'], { cwd: pkg, encoding: 'utf8', env: { ...process.env, NODE_ENV: '', MSS_PUBLIC_URL: PUBLIC_URL } });
    build = { status: res.status, output: `${res.stdout}\n${res.stderr}` };
    const pems = await generate([{ name: 'commonName', value: CERT_CN }], {
      keyType: 'rsa',
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: CERT_CN }, { type: 7, ip: '127.0.0.1' }] }],
    });
    cert = pems.cert;
    key = pems.private;
    writeFileSync(join(work, 'cert.pem'), cert);
    writeFileSync(join(work, 'key.pem'), key, { mode: 0o600 });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('npm run build succeeds: minified bundles, no harness, no source maps', () => {
    expect({ status: build.status, output: build.status === 0 ? '' : build.output }).toEqual({ status: 0, output: '' });
    expect(existsSync(join(pkg, 'build', 'src', 'connector', 'server.js'))).toBe(true);
    const files = readdirSync(out, { recursive: true }).map(String).sort();
    for (const f of ['taskpane.html', 'commands.html', 'taskpane.js', 'launchevent.js', 'assets/icon-16.png', 'assets/icon-80.png', 'assets/icon-128.png']) expect(files).toContain(f);
    expect(files.filter((f) => /harness|fake-office|auth-dialog/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of files.filter((n) => n.endsWith('.js'))) {
      const js = readFileSync(join(out, f), 'utf8');
      expect({ f, sourceMap: js.includes('sourceMappingURL') }).toEqual({ f, sourceMap: false });
      // minified: a few very long lines, not thousands of short ones
      const lines = js.split('\n');
      expect({ f, avg: js.length / lines.length > 500 }).toEqual({ f, avg: true });
    }
    expect(readFileSync(join(out, 'taskpane.html'), 'utf8')).toContain('/office-js/office.js');
  });

  it('the manifest rendered for the build address passes against the built files; the development one does not', async () => {
    const run = async (argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: { write: (x: string) => (stdout += x) }, stderr: { write: (x: string) => (stderr += x) }, env: {}, cwd: work });
      return { code, stdout, stderr };
    };
    const against = ['--launchevent', join(out, 'launchevent.js'), '--assets', join(out, 'assets')];
    const rendered = await run(['manifest', '--url', PUBLIC_URL, '--out', 'manifest-tilleuls.xml', ...against]);
    expect({ code: rendered.code, stderr: rendered.code === 0 ? '' : rendered.stderr }).toEqual({ code: 0, stderr: '' });
    const checked = await run(['manifest', '--check', 'manifest-tilleuls.xml', ...against]);
    expect(checked).toMatchObject({ code: 0, stderr: '' });
    expect(checked.stdout).toContain('manifeste valide');
    // the repository's manifest points at https://localhost:3000: the built script calls another connector
    const dev = await run(['manifest', '--check', join(ROOT, 'manifest.xml'), ...against]);
    expect(dev.code).toBe(1);
    expect(dev.stderr).toContain('[LAUNCHEVENT_ORIGIN_MISMATCH]');
    expect(dev.stderr.match(/\[[A-Z_]+\]/g)).toEqual(['[LAUNCHEVENT_ORIGIN_MISMATCH]']);
  });

  it('npm run start:prod with a given certificate serves /api/health and the task pane, not the harness', async () => {
    const port = await freePort();
    const dataDir = join(work, 'data-ok');
    const { child, done } = startProd(pkg, {
      MSS_PORT: String(port),
      MSS_DATA_DIR: dataDir,
      MSS_TLS_CERT: join(work, 'cert.pem'),
      MSS_TLS_KEY: join(work, 'key.pem'),
    });
    try {
      const started = await done;
      expect({ ready: started.ready, out: started.ready ? '' : started.out }).toEqual({ ready: true, out: '' });
      expect(started.out).toContain(`Connecteur mss-outlook prêt sur https://localhost:${port} — add-in : https://localhost:${port}/taskpane.html`);
      expect(started.out).not.toContain('Certificat de développement');

      const base = `https://127.0.0.1:${port}`;
      const health = await get(`${base}/api/health`, cert);
      expect(health.status).toBe(200);
      expect(health.peerCn).toBe(CERT_CN); // the given certificate, not a development one
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', version: expect.any(String) });

      const pane = await get(`${base}/taskpane.html`, cert);
      expect(pane.status).toBe(200);
      expect(pane.type).toContain('text/html');
      expect(pane.body).toMatch(/<div id="?root"?><\/div>/); // (minified HTML: quotes optional)
      expect(pane.body).toContain('taskpane.js');
      const script = await get(`${base}/taskpane.js`, cert);
      expect(script.status).toBe(200);
      expect(script.body.length).toBeGreaterThan(10_000);
      const launch = await get(`${base}/launchevent.js`, cert);
      expect(launch.status).toBe(200);
      expect(associatedFunctionNames(launch.body).sort()).toEqual(['onMessageAttachmentsChangedHandler', 'onMessageRecipientsChangedHandler', 'onMessageSendHandler']);

      const harness = await get(`${base}/harness.html`, cert);
      expect(harness.status).toBe(404);
      expect(JSON.parse(harness.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
      // no development certificate was generated
      expect(existsSync(join(dataDir, 'tls'))).toBe(false);
    } finally {
      await stop(child);
    }
  });

  it('npm run start:prod without a certificate refuses to start, in French, and generates no development certificate', async () => {
    const port = await freePort();
    const dataDir = join(work, 'data-nocert');
    const { child, done } = startProd(pkg, { MSS_PORT: String(port), MSS_DATA_DIR: dataDir });
    try {
      const r = await done;
      expect(r.ready).toBe(false);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('server.tls : en production (NODE_ENV=production), le certificat de développement est refusé');
      expect(r.out).toContain('MSS_TLS_CERT et MSS_TLS_KEY');
      expect(existsSync(join(dataDir, 'tls'))).toBe(false);
    } finally {
      await stop(child);
    }
  });

  it('npm start stays the embedded default (development build, no NODE_ENV=production)', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe('npm run build:node && npm run build:web && node build/src/connector/server.js');
    expect(scripts['build:web']).toBe('webpack --mode development');
    expect(scripts.build).toBe('tsc -p tsconfig.node.json && webpack --mode production');
    expect(scripts['start:prod']).toBe('NODE_ENV=production node build/src/connector/server.js');
  });
});
