// Runtime: Node (jest e2e helper). Starts the COMPILED connector the way `npm start` does
// (`node build/src/connector/server.js`), on 127.0.0.1 and a free port, with a temporary data folder (development
// certificate and SQLite inside), and stops it. A child process rather than buildApp in-process: jest's module
// loader cannot load some ESM-only dependencies of @fastify/static that plain Node loads fine.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
const SERVER = join(REPO_ROOT, 'build', 'src', 'connector', 'server.js');

export interface ConnectorProcess {
  /** e.g. https://127.0.0.1:41234 */
  readonly url: string;
  /** The connector's data folder (SQLite base, development certificate). */
  readonly dataDir: string;
  /** What the connector printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

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

/** Options of {@link startConnectorProcess}. */
export interface ConnectorProcessOptions {
  /** More environment (MSS_CONFIG, NODE_EXTRA_CA_CERTS, MSS_PRODUCT_REFERENCE...). */
  readonly env?: Readonly<Record<string, string>>;
  /** [30 000] ms to wait for the ready line. */
  readonly timeoutMs?: number;
  /** Sets MSS_PUBLIC_URL to the loopback URL it listens on (links the connector hands out, e.g. Pro Santé Connect's). */
  readonly publicUrlIsLoopback?: boolean;
}

/** Starts the connector; resolves once it printed its ready line. */
export async function startConnectorProcess(opts: ConnectorProcessOptions = {}): Promise<ConnectorProcess> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  if (!existsSync(SERVER)) throw new Error(`${SERVER} manque : lancez « npm run build:node » (npm run test:e2e le fait).`);
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-outlook-e2e-'));
  const port = await freePort();
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      MSS_HOST: '127.0.0.1',
      MSS_PORT: String(port),
      MSS_DATA_DIR: dataDir,
      MSS_LOG_LEVEL: 'warn',
      ...(opts.publicUrlIsLoopback ? { MSS_PUBLIC_URL: `https://127.0.0.1:${port}` } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Le connecteur n'a pas démarré en ${timeoutMs} ms :\n${out}`)), timeoutMs);
    const check = () => {
      if (/prêt sur/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Le connecteur s'est arrêté (code ${code}) :\n${out}`));
    });
  });

  let stopped: Promise<void> | undefined;
  return {
    url: `https://127.0.0.1:${port}`,
    dataDir,
    output: () => out,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else {
          const force = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }
      }).then(() => rmSync(dataDir, { recursive: true, force: true }));
      return stopped;
    },
  };
}
