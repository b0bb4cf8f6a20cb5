// Runtime: any (pure core). The structure's own correspondence table, maintained by its administrator: one line per
// ordinary address and the MSSanté address that reaches the same person or service (like the seed's contact
// table). CSV with `;`, `,` or TAB, an optional header line, UTF-8. Bad lines are reported, never thrown.

import { normaliseAddress } from '../address';

/** A loaded correspondence table: ordinary address (normalised) → MSSanté addresses (normalised), in file order. */
export interface MappingTable {
  readonly size: number;
  get(ordinaryAddress: string): readonly string[] | undefined;
}

/** One rejected line of the CSV (1-based line number, French problem). */
export interface MappingProblem {
  readonly line: number;
  readonly problem: string;
}

/** Parses the CSV text. The header (a first line without `@`) is skipped. */
export function parseMappingCsv(text: string): { table: MappingTable; problems: MappingProblem[] } {
  const map = new Map<string, string[]>();
  const problems: MappingProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === '' || line[0] === '#') continue;
    if (n === 0 && line.indexOf('@') < 0) continue; // header
    const cells = line.split(/[;,\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());
    if (cells.length < 2) {
      problems.push({ line: n + 1, problem: 'deux colonnes attendues : adresse ordinaire ; adresse MSSanté' });
      continue;
    }
    const from = normaliseAddress(cells[0]);
    const to = normaliseAddress(cells[1]);
    if (from === undefined) {
      problems.push({ line: n + 1, problem: 'adresse ordinaire invalide (1re colonne)' });
      continue;
    }
    if (to === undefined) {
      problems.push({ line: n + 1, problem: 'adresse MSSanté invalide (2e colonne)' });
      continue;
    }
    const list = map.get(from);
    if (list === undefined) map.set(from, [to]);
    else if (list.indexOf(to) < 0) list.push(to);
  }
  return { table: { size: map.size, get: (a) => map.get(a) }, problems };
}

/** An empty table. */
export const EMPTY_MAPPING: MappingTable = { size: 0, get: () => undefined };
