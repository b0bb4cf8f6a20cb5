// Runtime: Node (benchmark, run by `npm run bench` through bench/run.mjs). Health-data detection (compiled core,
// build/src/core) on the labelled French evaluation set test/fixtures/detection/eval-set.jsonl (164 messages, see its
// README). Figures (JSON lines):
//   detection.throughput       messages/s over the set, repeated (median of 7 timed passes after 2 warm-ups).
//                              Reference: the floor of any detector, ONE normalisation pass (NFD, strip accents,
//                              lower case) over the same texts; ratio = ours / reference.
//   detection.recall, detection.precision (whole set) and detection.holdout.recall / .precision (the 40 messages not
//                              looked at while tuning). Goal recall ≥ 0.95 at precision ≥ 0.90. Reference: a naive
//                              keyword baseline measured in the same run (health = any clinical, medico-social,
//                              social or document-type vocabulary hit, no person needed); ratio = ours / baseline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const core = require(path.join(root, 'build/src/core/index.js'));
const rows = readFileSync(path.join(root, 'test/fixtures/detection/eval-set.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));
const print = (o) => console.log(JSON.stringify(o));
const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const contents = rows.map((r) => ({ subject: r.subject, bodyText: r.body, attachmentNames: r.attachments }));

// ---- quality ----
const ours = (c) => core.detectHealthData(c).healthData;
const baseline = (c) => core.detectHealthData(c).findings.some((f) => f.kind !== 'person');
function quality(set, predict) {
  let tp = 0, fp = 0, fn = 0;
  for (const r of set) {
    const p = predict({ subject: r.subject, bodyText: r.body, attachmentNames: r.attachments });
    if (p && r.label === 'health') tp++;
    else if (p) fp++;
    else if (r.label === 'health') fn++;
  }
  return { recall: tp / (tp + fn), precision: tp + fp === 0 ? 1 : tp / (tp + fp), n: set.length };
}
const round = (x) => +x.toFixed(3);
for (const [prefix, set] of [['detection', rows], ['detection.holdout', rows.filter((r) => r.split === 'holdout')]]) {
  const q = quality(set, ours);
  const b = quality(set, baseline);
  const pass = q.recall >= 0.95 && q.precision >= 0.9;
  print({ name: `${prefix}.recall`, value: round(q.recall), unit: 'ratio', goal: '>= 0.95 at precision >= 0.90', reference: round(b.recall), ratio: round(q.recall / b.recall), pass, messages: q.n });
  print({ name: `${prefix}.precision`, value: round(q.precision), unit: 'ratio', goal: '>= 0.90', reference: round(b.precision), ratio: round(q.precision / b.precision), pass: q.precision >= 0.9, messages: q.n });
}

// ---- throughput ----
const REPEAT = 20; // 164 × 20 = 3,280 messages per pass
const totalBytes = contents.reduce((n, c) => n + c.subject.length + c.bodyText.length + c.attachmentNames.join('').length, 0);
function pass(fn) {
  const t0 = now();
  for (let k = 0; k < REPEAT; k++) for (const c of contents) fn(c);
  return now() - t0;
}
let sink = 0;
const detect = (c) => { sink += core.detectHealthData(c).score; };
const normalise = (c) => {
  for (const t of [c.subject, c.bodyText, ...c.attachmentNames]) sink += t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().length;
};
for (let i = 0; i < 2; i++) { pass(detect); pass(normalise); }
const ourRuns = [];
const refRuns = [];
for (let i = 0; i < 7; i++) { ourRuns.push(pass(detect)); refRuns.push(pass(normalise)); }
const messages = REPEAT * contents.length;
const ourRate = messages / (median(ourRuns) / 1000);
const refRate = messages / (median(refRuns) / 1000);
print({ name: 'detection.throughput', value: Math.round(ourRate), unit: 'messages/s', goal: '>= 1000 (a send needs one)', reference: Math.round(refRate), ratio: +(ourRate / refRate).toFixed(3), pass: ourRate >= 1000, avgMessageChars: Math.round(totalBytes / contents.length), sink: sink > 0 });
