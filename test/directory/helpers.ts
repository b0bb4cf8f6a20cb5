// Runtime: Node (jest). Directory test helpers: generated extractions (../shared/bench/make-extraction.mjs, into a
// temp folder, never committed) and the shared data folder.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTempDir } from '../helpers/tmp';

export const REPO = resolve(__dirname, '..', '..');
/** ../shared beside the checkout (CI lays it there too). */
export const SHARED = resolve(REPO, '../shared');
export const LISTE_BLANCHE = join(REPO, 'test/fixtures/listeblanche/listeblanchemssante_2025-02-28.xml');
export const FIXTURES = join(REPO, 'test/fixtures/directory');

const cache = new Map<string, string>();
/** Generates an extraction with make-extraction.mjs (cached per argument list within a test file). */
export function generateExtraction(args: string[]): string {
  const key = args.join(' ');
  const hit = cache.get(key);
  if (hit && existsSync(hit)) return hit;
  const out = join(makeTempDir('mss-dir-gen-'), 'Extraction_Correspondance_MSSante_202608260300.txt');
  execFileSync(process.execPath, [join(SHARED, 'bench/make-extraction.mjs'), ...args, '--out', out]);
  cache.set(key, out);
  return out;
}

/** The extraction of the issue: 20,000 rows, 50 malformed lines, trailing `|`, CRLF, real liste blanche domains. */
export function standardExtraction(): string {
  return generateExtraction(['--rows', '20000', '--bad-lines', '50', '--trailing-pipe', '--crlf', '--liste-blanche', LISTE_BLANCHE]);
}
