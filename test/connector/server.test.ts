// Runtime: Node (jest). The connector listening for real: HTTPS on 127.0.0.1 with the generated development
// certificate, and the compiled server.js started as `npm start` does (ready line, French errors, SIGTERM).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ConfigError, type Config } from '../../src/connector/config';
import { DEV_CERT_DIR, DEV_CERT_FILE } from '../../src/connector/dev-cert';
import { startConnector } from '../../src/connector/server';
import { MIGRATIONS } from '../../src/connector/store';
import { LISTE_BLANCHE_TRUNCATED, REPO_ROOT, testConfig } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

const SERVER_JS = join(REPO_ROOT, 'build', 'src', 'connector', 'server.js');

/** GET over TLS, trusting only `ca`. */
function getJson(url: string, ca: string): Promise<{ status: number; body: unknown; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: res.headers }));
    }).on('error', reject);
  });
}

function loopbackConfig(): Config {
  const base = testConfig();
  return { ...base, server: { ...base.server, host: '127.0.0.1', port: 0 } };
}

describe('startConnector', () => {
  it('listens over HTTPS with the development certificate and answers /api/health', async () => {
    const config = loopbackConfig();
    const printed: string[] = [];
    const running = await startConnector({ config, logger: false, print: (l) => printed.push(l) });
    try {
      expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = readFileSync(join(config.dataDir, DEV_CERT_DIR, DEV_CERT_FILE), 'utf8');
      const res = await getJson(`${running.url}/api/health`, ca);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', store: { type: 'sqlite', schemaVersion: MIGRATIONS.length }, directory: { entries: 14 } });
      expect(printed).toContain(`Connecteur mss-outlook prêt sur ${running.url} — harnais de démonstration : ${running.url}/harness.html`);
      expect(printed.some((l) => l.startsWith('Certificat de développement créé'))).toBe(true);
      // a client that does not trust the certificate is refused: this is real TLS
      await expect(getJson(`${running.url}/api/health`, '')).rejects.toThrow();
    } finally {
      await running.close();
    }
    await running.close(); // idempotent
  });

  it('reuses the certificate at the next start', async () => {
    const config = loopbackConfig();
    const first = await startConnector({ config, logger: false });
    await first.close();
    const printed: string[] = [];
    const second = await startConnector({ config, logger: false, print: (l) => printed.push(l) });
    await second.close();
    expect(printed.some((l) => l.startsWith('Certificat de développement créé'))).toBe(false);
  });

  it('refuses a truncated liste blanche with a French ConfigError, leaving nothing open', async () => {
    const base = loopbackConfig();
    const config: Config = { ...base, trustSpace: { listeBlanchePath: LISTE_BLANCHE_TRUNCATED() } };
    let error: unknown;
    try {
      await startConnector({ config, logger: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(1);
    expect((error as ConfigError).problems[0]).toMatch(/^trustSpace\.listeBlanchePath : « .*listeblanchemssante\.xml » n'est pas une liste blanche MSSanté utilisable \(/);
    expect(existsSync(config.store.sqlitePath)).toBe(false);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('node build/src/connector/server.js (what npm start runs)', () => {
  beforeAll(() => {
    if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} missing: the jest globalSetup compiles it (npx tsc -p tsconfig.node.json)`);
  });

  it('starts with the embedded defaults, prints the French ready line, stops cleanly on SIGTERM', async () => {
    const cwd = makeTempDir('mss-outlook-start-');
    const port = await freePort();
    const child = spawn(process.execPath, [SERVER_JS], {
      cwd,
      env: { PATH: process.env.PATH, MSS_HOST: '127.0.0.1', MSS_PORT: String(port), MSS_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!out.includes('prêt sur') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(err).toBe('');
      expect(out).toContain(`Connecteur mss-outlook prêt sur https://localhost:${port} — harnais de démonstration : https://localhost:${port}/harness.html`);
      expect(out).toContain('Liste blanche : instantané intégré');
      expect(out).toContain('Annuaire : exemple intégré (pas le fichier national) — 14 adresses.');
      const ca = readFileSync(join(cwd, '.data', DEV_CERT_DIR, DEV_CERT_FILE), 'utf8');
      const res = await getJson(`https://127.0.0.1:${port}/api/health`, ca);
      expect(res.status).toBe(200);
      expect(existsSync(join(cwd, '.data', 'mss-outlook.sqlite'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM reçu : arrêt du connecteur');
    expect(out).toContain('Connecteur arrêté.');
  });

  it('on a configuration error: the French list on stderr, exit 1, no stack trace', () => {
    const cwd = makeTempDir('mss-outlook-start-');
    const r = spawnSync(process.execPath, [SERVER_JS], {
      cwd,
      env: { PATH: process.env.PATH, MSS_PORT: 'abc', MSS_LOG_LEVEL: 'bavard' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'Configuration invalide :',
        "  - server.port : doit être un entier entre 1 et 65535 (reçu « abc »). Corrigez la variable d'environnement MSS_PORT (ou retirez-la).",
        "  - log.level : doit valoir l'un de : fatal, error, warn, info, debug, trace, silent (reçu « bavard »). Corrigez la variable d'environnement MSS_LOG_LEVEL (ou retirez-la).",
        '',
      ].join('\n'),
    );
  });

  it('on a port already in use: a French explanation, exit 1', async () => {
    const cwd = makeTempDir('mss-outlook-start-');
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [SERVER_JS], { cwd, env: { PATH: process.env.PATH, MSS_HOST: '127.0.0.1', MSS_PORT: String(port), MSS_LOG_LEVEL: 'silent' } });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`Le port ${port} est déjà utilisé sur 127.0.0.1. Arrêtez l'autre programme ou choisissez un autre port (MSS_PORT ou server.port).\n`);
    } finally {
      blocker.close();
    }
  });
});
