// Runtime: Node. `npm run bench`: runs every benchmark file of this folder (bench/*.mjs but this one), each in its own
// process so that one does not warm up or pollute another. Each prints one JSON line per figure:
// {"name","value","unit","goal","reference","ratio","pass"}. Benchmarks are not tests: they never fail the build;
// this runner exits 1 only when a benchmark crashes. Machines are noisy: read the ratio, measured in the same run.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const dir = import.meta.dirname;
const files = readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').sort();
let crashed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) { crashed++; console.error(`bench ${f} a échoué (code ${r.status})`); }
}
process.exit(crashed ? 1 : 0);
