// Runtime: Node (jest). The search finds EVERY record whose words match the query, checked against a brute force
// over the index's own words on a generated extraction (make-extraction.mjs, 20,000 rows): for each query, the
// records a word-by-word scan finds (every query word the start of one of the record's words; names only for
// suggestNames-like `nameOnly` queries are not used here) are exactly the search's hits, whatever the page size.
// What it guards: the shortcuts of the search (driver list, per-record signature bits of the two-letter word starts,
// identifier driver) may skip work, never a match.
import { loadExtractionFile } from '../../src/connector/directory/load-extraction';
import type { DirectoryIndex } from '../../src/core';
import { NAME_TITLES, tokenize } from '../../src/core/directory/text';
import { standardExtraction } from './helpers';

let index: DirectoryIndex;

beforeAll(async () => {
  index = (await loadExtractionFile(standardExtraction())).index;
  index.search('warm up'); // builds the search arrays
});

/** Word ids → words of record r, as the index holds them. */
function wordsOf(r: number): string[] {
  const { recordTokenOffsets, recordTokens, tokens } = index.data;
  const out: string[] = [];
  for (let q = recordTokenOffsets[r]; q < recordTokenOffsets[r + 1]; q++) out.push(tokens[recordTokens[q]]);
  return out;
}

function bruteForce(query: string): number[] {
  // titles (« dr », « m »…) are left out when other words remain, as the search does
  let words = tokenize(query);
  const meaningful = words.filter((w) => !NAME_TITLES.includes(w));
  if (meaningful.length > 0) words = meaningful;
  const out: number[] = [];
  for (let r = 0; r < index.size; r++) {
    const mine = wordsOf(r);
    if (words.every((w) => mine.some((t) => t.startsWith(w)))) out.push(r);
  }
  return out;
}

/** Queries in the forms staff type, made from records of the file, plus two-letter probes. */
function queries(): string[] {
  const out = new Set<string>();
  let seed = 11;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  while (out.size < 120) {
    const w = wordsOf(Math.floor(rnd() * index.size)).filter((t) => !/^[0-9]/.test(t));
    if (w.length < 2) continue;
    const a = w[Math.floor(rnd() * w.length)];
    const b = w[Math.floor(rnd() * w.length)];
    const forms = [`${a} ${b.slice(0, 1)}`, `${a.slice(0, 3)} ${b.slice(0, 2)}`, `${b} ${a.slice(0, 4)}`, a.slice(0, 2), `${a.slice(0, 2)} ${b.slice(0, 2)}`];
    out.add(forms[out.size % forms.length]);
  }
  return [...out];
}

test('every matching record is found, and nothing else (120 queries against a brute force over 20,000 records)', () => {
  let nonEmpty = 0;
  for (const q of queries()) {
    const expected = bruteForce(q);
    const r = index.search(q, { pageSize: Math.max(1, expected.length), maxMatches: 1_000_000 });
    expect({ q, total: r.total }).toEqual({ q, total: expected.length });
    expect(r.hits.map((h) => h.index).sort((x, y) => x - y)).toEqual(expected);
    if (expected.length > 0) nonEmpty++;
  }
  expect(nonEmpty).toBeGreaterThan(100); // the queries come from records: nearly all find something
});
