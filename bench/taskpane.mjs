// Runtime: Node (benchmark, run by `npm run bench` through bench/run.mjs). The task pane's weight and speed:
//   taskpane.js.gzip            gzipped size of the JavaScript the task pane loads at start (its webpack entrypoint,
//                               production build made here into a temporary folder, `--env harness` keeping the demo
//                               harness beside it, which the figure does not count). Goal ≤ 350 KB.
//                               Reference: react-dom's own production bundle gzipped (node_modules/react-dom/umd/
//                               react-dom.production.min.js), measured in the same run; ratio = pane / react-dom.
//   taskpane.js.lazy.gzip       gzipped size of the chunks it loads only when needed (MSAL on first sign-in). No goal.
//   taskpane.first-render.p50   time to first meaningful render in headless Chromium on the harness: from the start of
//                               the pane's navigation (its timeOrigin) to the performance mark the pane sets when the
//                               first check's outcome is on screen (App.tsx FIRST_CHECK_MARK: three recipients
//                               classified by the connector and listed). Fresh browser context each time (cold cache),
//                               15 loads after 2 warm-ups; p50 and p90. Goal ≤ 800 ms.
//                               Reference: load event of a blank HTML page served by the same connector in the same
//                               browser (same TLS, same origin), p50; ratio = pane / blank page.
// The compiled connector (build/src/connector/server.js) serves the temporary production build (addin.staticDir).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
const SERVER = path.join(root, 'build', 'src', 'connector', 'server.js');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REACT_DOM = path.join(root, 'node_modules', 'react-dom', 'umd', 'react-dom.production.min.js');
const MARK = 'mss:first-check-rendered';
const RECIPIENTS = ['sophie.martin@medecin.mssante.fr', 'jean-marie.dupont@infirmier.mssante.fr', 'sophie.martin@gmail.com'];
const LOADS = 15;
const WARMUPS = 2;
const print = (o) => console.log(JSON.stringify(o));
const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (bytes) => Math.round((bytes / 1024) * 10) / 10;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const round = (x) => Math.round(x * 10) / 10;

if (!existsSync(SERVER)) throw new Error(`${SERVER} manque : lancez « npm run build:node ».`);

// ---- 1. production build into a temporary folder, with webpack's stats --------------------------------------------
const out = mkdtempSync(path.join(tmpdir(), 'mss-bench-taskpane-'));
const statsFile = path.join(out, 'stats.json');
execFileSync(
  process.execPath,
  // production mode, with the harness kept (`--env harness`): the pane's entrypoint is the same as without it
  [path.join(root, 'node_modules', 'webpack-cli', 'bin', 'cli.js'), '--mode', 'production', '--config-name', 'web', '--env', 'harness', '--output-path', out, '--json', statsFile],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
const web = stats.children ? stats.children.find((c) => c.name === 'web') ?? stats.children[0] : stats;
const initial = web.entrypoints.taskpane.assets.map((a) => (typeof a === 'string' ? a : a.name)).filter((n) => n.endsWith('.js'));
// chunks loaded later by the task pane: async chunks whose parents are in the taskpane entry
const entryChunks = new Set(web.entrypoints.taskpane.chunks);
const lazy = web.chunks.filter((c) => !c.initial && c.parents.some((p) => entryChunks.has(p))).flatMap((c) => c.files.filter((f) => f.endsWith('.js')));
const initialGz = initial.reduce((s, f) => s + gz(path.join(out, f)), 0);
const lazyGz = lazy.reduce((s, f) => s + gz(path.join(out, f)), 0);
const reactDomGz = gz(REACT_DOM);
print({ name: 'taskpane.js.gzip', value: kb(initialGz), unit: 'KB', goal: '<= 350', reference: kb(reactDomGz), ratio: round(initialGz / reactDomGz), pass: initialGz <= 350 * 1024, files: initial });
print({ name: 'taskpane.js.lazy.gzip', value: kb(lazyGz), unit: 'KB', goal: null, reference: kb(reactDomGz), ratio: round(lazyGz / reactDomGz), pass: null, files: lazy });

// ---- 2. first meaningful render in headless Chromium ---------------------------------------------------------------
writeFileSync(path.join(out, 'blank.html'), '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>vide</title></head><body></body></html>\n');
const config = path.join(out, 'bench-connector.json');
writeFileSync(config, JSON.stringify({ addin: { staticDir: out }, harness: { enabled: true } }));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'mss-bench-taskpane-data-'));
const port = await freePort();
const child = spawn(process.execPath, [SERVER], {
  cwd: root,
  env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), MSS_HOST: '127.0.0.1', MSS_PORT: String(port), MSS_DATA_DIR: dataDir, MSS_LOG_LEVEL: 'warn', MSS_CONFIG: config },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let log = '';
child.stdout.on('data', (d) => (log += d));
child.stderr.on('data', (d) => (log += d));
await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error(`connector did not start:\n${log}`)), 30000);
  const check = () => (/prêt sur/.test(log) ? (clearTimeout(t), resolve()) : setTimeout(check, 50));
  check();
});
const url = `https://127.0.0.1:${port}`;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/** One cold load in a fresh context: returns ms from the pane's navigation start to the mark. */
async function paneLoad() {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 1080 } });
  await context.route((u) => !u.href.startsWith(`${url}/`), (r) => r.abort());
  const page = await context.newPage();
  await page.goto(`${url}/harness.html?to=${encodeURIComponent(RECIPIENTS.join(','))}`);
  await page.locator('[data-testid="taskpane-frame"]').waitFor();
  let pane;
  for (let i = 0; i < 300 && !pane; i++) {
    pane = page.frames().find((f) => f.url().includes('/harness/taskpane.html'));
    if (!pane) await page.waitForTimeout(20);
  }
  if (!pane) throw new Error('volet introuvable');
  await pane.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, MARK, { timeout: 30000, polling: 20 });
  const ms = await pane.evaluate((mark) => performance.getEntriesByName(mark)[0].startTime, MARK);
  // "meaningful": the recipients are on screen at the mark (counted now, after it)
  const rows = await pane.locator('[data-testid="recipient-row"]').count();
  await context.close();
  if (rows !== RECIPIENTS.length) throw new Error(`${rows} destinataires affichés au lieu de ${RECIPIENTS.length}`);
  return ms;
}

/** Reference: a blank page of the same origin, load event. */
async function blankLoad() {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${url}/blank.html`, { waitUntil: 'load' });
  const ms = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
  await context.close();
  return ms;
}

try {
  for (let i = 0; i < WARMUPS; i++) {
    await paneLoad();
    await blankLoad();
  }
  const pane = [];
  const blank = [];
  for (let i = 0; i < LOADS; i++) {
    pane.push(await paneLoad());
    blank.push(await blankLoad());
  }
  const p50 = pct(pane, 50);
  const ref = pct(blank, 50);
  print({ name: 'taskpane.first-render.p50', value: round(p50), unit: 'ms', goal: '<= 800', reference: round(ref), ratio: round(p50 / ref), pass: p50 <= 800 });
  print({ name: 'taskpane.first-render.p90', value: round(pct(pane, 90)), unit: 'ms', goal: '<= 800', reference: round(pct(blank, 90)), ratio: round(pct(pane, 90) / pct(blank, 90)), pass: pct(pane, 90) <= 800 });
} finally {
  await browser.close();
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
  });
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}
