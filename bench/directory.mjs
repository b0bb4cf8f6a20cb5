// Runtime: Node (benchmark, run by `npm run bench`, or `node --expose-gc bench/directory.mjs` after
// `npx tsc -p tsconfig.node.json`). The national directory at full scale: a synthetic extraction of 536,000 rows
// (../shared/bench/make-extraction.mjs --rows 536000 --liste-blanche ..., generated into the temp folder, never
// committed; DIRECTORY_BENCH_FILE reuses one). One JSON line per figure: {"name","value","unit","goal","reference","ratio","pass"}.
// Reference measured in the same run: the same file imported with the sqlite3 command line (.import, then an index on
// the address column). Cold load and restart run in child processes (fresh heap; peak RSS = child's maxRSS). The cold
// load is the time until exact look-ups are served (what the sqlite3 import gives); the search arrays built after
// it are reported on their own line. `threads`: 2 when a worker thread read the second half of the file (the
// connector's default on a file of 16 MB or more and two cores or more; the sqlite3 import uses one). The HTTP
// figure also reports the CPU per request of the server and of the load generator (both share this machine's 2
// cores), and is measured again with a lighter load generator.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const shared = path.resolve(root, '../shared');
const require = createRequire(import.meta.url);
// every line carries the 1-minute load average: other engineers share this machine, figures are noisy
const print = (o) => console.log(JSON.stringify({ ...o, load: +os.loadavg()[0].toFixed(2) }));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'mss-dir-bench-'));
const file = process.env.DIRECTORY_BENCH_FILE ?? path.join(tmp, 'Extraction_Correspondance_MSSante.txt');
if (!existsSync(file)) {
  execFileSync(process.execPath, [path.join(shared, 'bench/make-extraction.mjs'), '--rows', '536000', '--liste-blanche', path.join(root, 'test/fixtures/listeblanche/listeblanchemssante_2025-02-28.xml'), '--out', file]);
}
// iterations: DIRECTORY_BENCH_ONLY=cold,restart,lookup,search,http runs only those figures (the full run is what
// `npm run bench` reports); DIRECTORY_BENCH_BUILD points at another tsc output than build/
const only = process.env.DIRECTORY_BENCH_ONLY ? new Set(process.env.DIRECTORY_BENCH_ONLY.split(',')) : undefined;
const runs = (name) => only === undefined || only.has(name);
const build = process.env.DIRECTORY_BENCH_BUILD ? path.resolve(process.env.DIRECTORY_BENCH_BUILD) : path.join(root, 'build');
const snapshot = path.join(tmp, 'annuaire.snapshot');
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// ---- reference: sqlite3 CLI .import + index on the address column ----
let sqliteMs = NaN;
if (runs('cold') || runs('restart')) {
  const db = path.join(tmp, 'ref.sqlite');
  const t0 = performance.now();
  const r = spawnSync('sqlite3', [db, '.mode list', '.separator |', `.import ${file} annuaire`, 'CREATE INDEX idx_adresse ON annuaire("Adresse BAL");'], { encoding: 'utf8' });
  sqliteMs = performance.now() - t0;
  if (r.status !== 0) {
    console.error(`sqlite3 indisponible (${r.error?.message ?? r.stderr}) : apt-get install -y sqlite3`);
    sqliteMs = NaN;
  }
  rmSync(db, { force: true });
}

// ---- cold load (child): stream + parse + index build until exact look-ups are served (what the sqlite3 reference
// gives: the rows and an index on the address); then, reported apart, the search arrays and the snapshot write ----
const child = (code) => {
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', code], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
const cold = child(`
  const { loadExtractionFile } = require(${JSON.stringify(path.join(build, 'src/connector/directory/load-extraction.js'))});
  const { writeSnapshot } = require(${JSON.stringify(path.join(build, 'src/connector/directory/snapshot.js'))});
  (async () => {
    const t0 = performance.now();
    const { index, report } = await loadExtractionFile(${JSON.stringify(file)});
    const loadMs = performance.now() - t0;
    // look-ups are served from here on; the search arrays (words, postings) are derived after (older builds: 0)
    const ts = performance.now();
    if (typeof index.ensureSearch === 'function') index.ensureSearch();
    const searchMs = performance.now() - ts;
    const t1 = performance.now();
    writeSnapshot(${JSON.stringify(snapshot)}, index, { sourceKind: 'file', source: 'bench', loadedAt: '' });
    const cpu = process.cpuUsage();
    console.log(JSON.stringify({ loadMs, searchMs, writeMs: performance.now() - t1, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, mailboxes: report.mailboxes, duplicates: report.duplicates, threads: report.threads ?? 1 }));
  })();
`);
if (runs('cold')) print({ name: 'directory.load.cold', value: Math.round(cold.loadMs), unit: 'ms', goal: '<= 0.3 x sqlite3 import', reference: Math.round(sqliteMs), ratio: +(cold.loadMs / sqliteMs).toFixed(3), pass: cold.loadMs <= 0.3 * sqliteMs, mailboxes: cold.mailboxes, duplicates: cold.duplicates, threads: cold.threads, snapshotWriteMs: Math.round(cold.writeMs), childCpuMsInclWrite: Math.round(cold.cpuMs) });
if (runs('cold')) print({ name: 'directory.load.cold.searchReady', value: Math.round(cold.loadMs + cold.searchMs), unit: 'ms', goal: '(no goal: the issue\'s goal is the cold load above; the sqlite3 reference has no name search)', reference: Math.round(sqliteMs), ratio: +((cold.loadMs + cold.searchMs) / sqliteMs).toFixed(3), searchBuildMs: Math.round(cold.searchMs) });
if (runs('cold')) print({ name: 'directory.load.peakRss', value: Math.round(cold.maxRssMB), unit: 'MB', goal: '<= 300 MB', pass: cold.maxRssMB <= 300 });

if (runs('restart')) {
const restart = child(`
  const { readSnapshot } = require(${JSON.stringify(path.join(build, 'src/connector/directory/snapshot.js'))});
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { index } = readSnapshot(${JSON.stringify(snapshot)});
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, size: index.size, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
`);
print({ name: 'directory.restart', value: Math.round(restart.ms), unit: 'ms', goal: '<= 0.05 x sqlite3 import', reference: Math.round(sqliteMs), ratio: +(restart.ms / sqliteMs).toFixed(3), pass: restart.ms <= 0.05 * sqliteMs, rssMB: Math.round(restart.maxRssMB), cpuMs: Math.round(restart.cpuMs), snapshotMB: Math.round(statSync(snapshot).size / 1048576) });
}

// ---- in-process: look-ups, search, HTTP ----
const { readSnapshot } = require(path.join(build, 'src/connector/directory/snapshot.js'));
const { index } = readSnapshot(snapshot);
// (index.data.addresses: the layout before the byte-block index, so that this file also measures older builds)
const addresses = typeof index.addresses === 'function' ? index.addresses() : index.data.addresses;
let seed = 7;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
if (runs('lookup')) {
  const probes = [];
  for (let i = 0; i < 200000; i++) probes.push(rnd() < 0.8 ? addresses[Math.floor(rnd() * addresses.length)] : `inconnu${i}@medecin.mssante.fr`);
  for (let i = 0; i < 50000; i++) index.find(probes[i]); // warm-up
  const times = [];
  for (const p of probes) {
    const t0 = process.hrtime.bigint();
    index.find(p);
    times.push(Number(process.hrtime.bigint() - t0));
  }
  times.sort((a, b) => a - b);
  const p99 = pct(times, 99) / 1000;
  print({ name: 'directory.lookup.exact', value: +p99.toFixed(3), unit: 'µs (p99)', p50: +(pct(times, 50) / 1000).toFixed(3), goal: '<= 2 µs', pass: p99 <= 2, note: 'includes ~0.05 µs of hrtime overhead' });
}
if (runs('search')) {
  const queries = [];
  for (let i = 0; i < 3000; i++) {
    const rec = index.record(Math.floor(rnd() * index.size));
    if (rec.type !== 'PER') continue;
    const last = rec.lastName.toLowerCase();
    const first = rec.firstName.toLowerCase();
    const forms = [`${last} ${first[0]}`, `${first} ${last.slice(0, 4)}`, last, `${last.slice(0, 3)} ${first.slice(0, 3)}`];
    queries.push(forms[i % forms.length]);
  }
  for (const q of queries.slice(0, 300)) index.search(q);
  const times = [];
  // CPU time of each search too (diagnostic only: on a shared machine a wall-clock p99 is mostly time spent
  // preempted by other processes; the figure and its pass/fail stay the wall clock)
  const cpu = [];
  for (const q of queries) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    index.search(q, { pageSize: 20 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const p99 = pct(times, 99);
  print({ name: 'directory.search.name', value: +p99.toFixed(3), unit: 'ms (p99)', p50: +pct(times, 50).toFixed(3), goal: '<= 2 ms', pass: p99 <= 2, queries: queries.length, cpuP99ms: +pct(cpu, 99).toFixed(3) });
}
if (runs('http')) {
  const { buildApp } = require(path.join(build, 'src/connector/app.js'));
  const { loadConfig } = require(path.join(build, 'src/connector/config.js'));
  const { DirectoryService } = require(path.join(build, 'src/connector/directory/service.js'));
  const { openSqliteStore } = require(path.join(build, 'src/connector/store/index.js'));
  const { defaultTrustSpace } = require(path.join(build, 'src/core/index.js'));
  const config = loadConfig({ env: { MSS_DATA_DIR: path.join(tmp, 'data') }, cwd: tmp });
  const store = openSqliteStore(config.store.sqlitePath);
  const directory = new DirectoryService({ initial: { index, meta: { sourceKind: 'file', source: 'bench', loadedAt: '' } } });
  const app = buildApp({ config, store, trustSpace: defaultTrustSpace(), directory, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = app.server.address().port;
  const bodies = [];
  for (let i = 0; i < 64; i++) bodies.push(JSON.stringify({ addresses: Array.from({ length: 50 }, () => addresses[Math.floor(rnd() * addresses.length)]) }));
  // the 64 clients run in a CHILD process (keep-alive agent, 64 sockets), so the server's event loop only serves
  const clientCode = `
    const http = require('node:http');
    const { port, bodies, perClient, clients } = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
    const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
    const times = [];
    let statusErrors = 0;
    const one = (body) => new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request({ host: '127.0.0.1', port, path: '/api/directory/lookup', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        if (res.statusCode !== 200) statusErrors++;
        res.on('data', () => {});
        res.on('end', () => resolve(performance.now() - t0));
      });
      req.on('error', reject);
      req.end(body);
    });
    const client = async (c) => {
      for (let k = 0; k < perClient; k++) {
        const ms = await one(bodies[(c + k) % bodies.length]);
        if (k >= 5) times.push(ms);
      }
    };
    const t0 = performance.now();
    Promise.all(Array.from({ length: clients }, (_, c) => client(c))).then(() => {
      const wall = performance.now() - t0;
      agent.destroy();
      const cpu = process.cpuUsage();
      process.stdout.write(JSON.stringify({ times, statusErrors, wall, cpuUs: cpu.user + cpu.system }));
    });
  `;
  // the same 64 closed-loop clients, lighter: raw keep-alive sockets, requests written once, responses framed by
  // Content-Length (what wrk or autocannon do). On this 2-core machine the node:http client above costs about half as
  // much CPU per request as the server; this one shows how much of the figure is the load generator's.
  const rawClientCode = `
    const net = require('node:net');
    const { port, bodies, perClient, clients } = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
    const reqs = bodies.map((b) => Buffer.from('POST /api/directory/lookup HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: ' + Buffer.byteLength(b) + '\\r\\n\\r\\n' + b));
    const times = [];
    let statusErrors = 0;
    const client = (c) => new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.setNoDelay(true);
      let k = 0, t0 = 0, buf = Buffer.alloc(0), need = -1;
      const send = () => { t0 = performance.now(); sock.write(reqs[(c + k) % reqs.length]); };
      sock.on('connect', send);
      sock.on('error', reject);
      sock.on('data', (d) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        for (;;) {
          if (need < 0) {
            const he = buf.indexOf('\\r\\n\\r\\n');
            if (he < 0) return;
            const head = buf.toString('latin1', 0, he);
            if (!head.startsWith('HTTP/1.1 200')) statusErrors++;
            const m = /content-length: *([0-9]+)/i.exec(head);
            if (!m) return reject(new Error('réponse sans Content-Length'));
            need = he + 4 + Number(m[1]);
          }
          if (buf.length < need) return;
          const ms = performance.now() - t0;
          if (k >= 5) times.push(ms);
          buf = buf.subarray(need);
          need = -1;
          if (++k === perClient) { sock.end(); return resolve(); }
          send();
        }
      });
    });
    const t0 = performance.now();
    Promise.all(Array.from({ length: clients }, (_, c) => client(c))).then(() => {
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage();
      process.stdout.write(JSON.stringify({ times, statusErrors, wall, cpuUs: cpu.user + cpu.system }));
    });
  `;
  const { spawn } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const argsFile = path.join(tmp, 'clients.json');
  writeFileSync(argsFile, JSON.stringify({ port, bodies, perClient: 60, clients: 64 }));
  // the same requests asking for the full 31-column extraction record of each address (`record: true`)
  const argsFileRecord = path.join(tmp, 'clients-record.json');
  writeFileSync(argsFileRecord, JSON.stringify({ port, bodies: bodies.map((b) => JSON.stringify({ ...JSON.parse(b), record: true })), perClient: 60, clients: 64 }));
  const runClients = async (code, file = argsFile) => {
    const serverCpu0 = process.cpuUsage();
    const out = await new Promise((resolve, reject) => {
      const cp = spawn(process.execPath, ['-e', code, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      cp.stdout.on('data', (d) => (text += d));
      cp.on('error', reject);
      cp.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`client exit ${code}`))));
    });
    const serverCpu = process.cpuUsage(serverCpu0);
    const times = out.times.sort((a, b) => a - b);
    const p99 = pct(times, 99);
    return { value: +p99.toFixed(2), unit: 'ms (p99)', p50: +pct(times, 50).toFixed(2), goal: '<= 10 ms at 64 concurrent clients', pass: p99 <= 10 && out.statusErrors === 0, requests: times.length, non200: out.statusErrors, reqPerSec: Math.round((64 * 60) / (out.wall / 1000)), serverCpuUsPerRequest: Math.round((serverCpu.user + serverCpu.system) / (64 * 60)), clientCpuUsPerRequest: Math.round(out.cpuUs / (64 * 60)) };
  };
  print({ name: 'directory.http.batch50', ...(await runClients(clientCode)), answer: 'identity (address, type, name, profession, structure): the default', clients: 'child process, http.Agent keep-alive' });
  print({ name: 'directory.http.batch50.withRecord', ...(await runClients(clientCode, argsFileRecord)), answer: 'identity + the 31-column record (record: true)', clients: 'child process, http.Agent keep-alive' });
  print({ name: 'directory.http.batch50.rawClients', ...(await runClients(rawClientCode)), clients: 'child process, raw keep-alive sockets (same requests, lighter load generator)' });
  await app.close();
  await store.close();
}
rmSync(tmp, { recursive: true, force: true });
