// Runtime: Node (benchmark, run by `npm run bench` through bench/run.mjs). Wall time of the BUILT Smart Alerts
// handler (dist/launchevent.js, built if missing) on a big message: 50 recipients (30 MSSanté, 15 ordinary, 5 behind
// the demonstration gateway), a 20 KB body carrying health data, 5 attachments; connector = the compiled connector
// (build/src/connector/server.js) started on a free loopback port with a temporary data folder.
// The bundle runs in a bare vm context with a minimal fake Office (callbacks answered asynchronously, like Office)
// and a fetch that goes to the connector over HTTPS (keep-alive; the development certificate is self-signed).
// Figures (JSON lines):
//   smart-alerts.send.p99     handler wall time p99 over 300 sends (after 30 warm-ups). Goal ≤ 150 ms.
//                             Reference: the same two connector calls (classify 50 + policy) made directly, p99,
//                             i.e. the network + connector floor; ratio = handler / reference.
//   smart-alerts.send.p50     same, median.
//   smart-alerts.send.connector-down.p99  connector stopped (connection refused): local liste blanche fallback.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createContext, runInContext } from 'node:vm';

const root = path.resolve(import.meta.dirname, '..');
const BUNDLE = path.join(root, 'dist', 'launchevent.js');
const SERVER = path.join(root, 'build', 'src', 'connector', 'server.js');
const print = (o) => console.log(JSON.stringify(o));
const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

if (!existsSync(BUNDLE)) execFileSync(process.execPath, [path.join(root, 'node_modules/webpack-cli/bin/cli.js'), '--mode', 'production', '--config-name', 'launchevent'], { cwd: root, stdio: 'inherit' });

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

async function startConnector() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mss-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), MSS_HOST: '127.0.0.1', MSS_PORT: String(port), MSS_DATA_DIR: dataDir, MSS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`connector did not start:\n${out}`)), 30000);
    const check = () => (/prêt sur/.test(out) ? (clearTimeout(t), resolve()) : setTimeout(check, 50));
    check();
  });
  return {
    url: `https://127.0.0.1:${port}`,
    stop: () => new Promise((r) => { child.once('exit', () => { rmSync(dataDir, { recursive: true, force: true }); r(); }); child.kill('SIGTERM'); }),
  };
}

const agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
/** fetch subset over node:https toward `base`, whatever origin the bundle baked in. */
function makeFetch(base) {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url.replace(/^https?:\/\/[^/]+/, base));
      const req = request(target, { method: init.method, headers: init.headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ ok: res.statusCode >= 200 && res.statusCode < 300, status: res.statusCode, json: () => Promise.resolve(JSON.parse(text)) }));
      });
      req.on('error', reject);
      if (init.body) req.write(init.body);
      req.end();
    });
}

// ---- the message ----
const rcpt = (emailAddress) => ({ emailAddress, displayName: emailAddress, recipientType: 'externalUser' });
const to = [];
for (let i = 0; i < 30; i++) to.push(rcpt(`soignant.${i}@medecin.mssante.fr`));
for (let i = 0; i < 15; i++) to.push(rcpt(`contact.${i}@gmail.com`));
for (let i = 0; i < 5; i++) to.push(rcpt(`dr.${i}=medecin.mssante.fr@dsp.paris`));
const paragraph = 'Le planning des équipes et l’organisation des transmissions de la semaine sont disponibles sur l’intranet. ';
let body = '';
while (body.length < 20 * 1024 - 200) body += paragraph;
body += 'Compte rendu d’hospitalisation de Mme Durand, née le 12/03/1948 : insuffisance cardiaque, furosémide 40 mg.';
const item = { to: to.slice(0, 20), cc: to.slice(20, 40), bcc: to.slice(40), subject: 'Synthèse de la semaine', body, attachments: ['planning.xlsx', 'CRH_Durand.pdf', 'photo.jpg', 'ordonnance.pdf', 'note.docx'] };

/** Minimal Office host: what the handler calls, answered on a later tick (Office answers asynchronously). */
function fakeOffice() {
  const ok = (value, cb) => setImmediate(() => cb({ status: 'succeeded', value }));
  const args = (a) => a.find((x) => typeof x === 'function');
  const recipients = (field) => ({ getAsync: (...a) => ok(item[field], args(a)) });
  const roaming = {};
  const handlers = new Map();
  return {
    handlers,
    office: {
      AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
      CoercionType: { Text: 'text', Html: 'html' },
      MailboxEnums: { SendModeOverride: { PromptUser: 'promptUser' }, ItemNotificationMessageType: { InformationalMessage: 'informationalMessage' } },
      actions: { associate: (name, fn) => handlers.set(name, fn) },
      context: {
        requirements: { isSetSupported: () => true },
        roamingSettings: { get: (k) => roaming[k], set: (k, v) => (roaming[k] = v), saveAsync: (...a) => { const cb = args(a); if (cb) ok(undefined, cb); } },
        mailbox: {
          item: {
            to: recipients('to'),
            cc: recipients('cc'),
            bcc: recipients('bcc'),
            subject: { getAsync: (...a) => ok(item.subject, args(a)) },
            body: { getAsync: (_t, ...a) => ok(item.body, args(a)) },
            getAttachmentsAsync: (...a) => ok(item.attachments.map((name, i) => ({ id: String(i), name, size: 1000, isInline: false, attachmentType: 'file' })), args(a)),
            notificationMessages: { replaceAsync: (...a) => ok(undefined, args(a)), removeAsync: (...a) => ok(undefined, args(a)) },
          },
        },
      },
    },
  };
}

function loadHandler(fetchFn) {
  const host = fakeOffice();
  const ctx = createContext({ Office: host.office, console: { log() {}, info() {}, warn() {}, error() {} }, setTimeout, clearTimeout, fetch: fetchFn });
  runInContext(readFileSync(BUNDLE, 'utf8'), ctx, { filename: 'launchevent.js' });
  return host.handlers.get('onMessageSendHandler');
}

function sendOnce(handler) {
  return new Promise((resolve) => {
    const t0 = now();
    handler({ completed: (options) => resolve({ ms: now() - t0, options }) });
  });
}

async function measure(fn, warm, runs) {
  for (let i = 0; i < warm; i++) await fn();
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(await fn());
  return xs;
}

const connector = await startConnector();
const fetchFn = makeFetch(connector.url);
const handler = loadHandler(fetchFn);
const first = await sendOnce(handler);
const reasons = JSON.parse(first.options.contextData ?? '{}').reasons;
const handlerRuns = await measure(async () => (await sendOnce(handler)).ms, 30, 300);
const addresses = to.map((r) => r.emailAddress);
const refRuns = await measure(async () => {
  const t0 = now();
  await Promise.all([
    fetchFn('https://x/api/recipients/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ addresses }) }).then((r) => r.json()),
    fetchFn('https://x/api/policy', { method: 'GET', headers: {} }).then((r) => r.json()),
  ]);
  return now() - t0;
}, 30, 300);
await connector.stop();

const p99 = pct(handlerRuns, 99);
const ref99 = pct(refRuns, 99);
print({ name: 'smart-alerts.send.p99', value: +p99.toFixed(2), unit: 'ms', goal: '<= 150', reference: +ref99.toFixed(2), ratio: +(p99 / ref99).toFixed(2), pass: p99 <= 150, recipients: 50, bodyBytes: Buffer.byteLength(body), attachments: 5, firstRunMs: +first.ms.toFixed(1), verdictReasons: reasons });
print({ name: 'smart-alerts.send.p50', value: +pct(handlerRuns, 50).toFixed(2), unit: 'ms', goal: '<= 150', reference: +pct(refRuns, 50).toFixed(2), ratio: +(pct(handlerRuns, 50) / pct(refRuns, 50)).toFixed(2), pass: pct(handlerRuns, 50) <= 150 });

// Connector stopped: connection refused, local fallback (the liste blanche is parsed on the first fallback).
const downHandler = loadHandler(makeFetch(connector.url));
const firstDown = await sendOnce(downHandler);
const downRuns = await measure(async () => (await sendOnce(downHandler)).ms, 10, 100);
const d99 = pct(downRuns, 99);
print({ name: 'smart-alerts.send.connector-down.p99', value: +d99.toFixed(2), unit: 'ms', goal: '<= 150', reference: +ref99.toFixed(2), ratio: +(d99 / ref99).toFixed(2), pass: d99 <= 150, firstRunMs: +firstDown.ms.toFixed(1), verdictReasons: JSON.parse(firstDown.options.contextData ?? '{}').reasons });
agent.destroy();
