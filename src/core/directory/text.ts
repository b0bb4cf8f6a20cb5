// Runtime: any (pure core). Text folding for directory search: accents and case folded away, words split on
// anything that is not a letter or a digit. "Émilie LE GALL-DUPONT" → ["emilie", "le", "gall", "dupont"].

const COMBINING = /[\u0300-\u036f]/g;
const NON_WORD = /[^a-z0-9]+/;
/** Letters that NFD does not decompose (ligatures, barred letters). */
const SPECIAL: Record<string, string> = { 'œ': 'oe', 'æ': 'ae', 'ß': 'ss', 'ø': 'o', 'đ': 'd', 'ł': 'l' };
const SPECIAL_RE = /[œæßøđł]/g;

/** True when every char is printable ASCII (no folding beyond lower-casing needed). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e) return false;
  return true;
}

/** Lower-cases and removes diacritics: "Hélène Œuvray" → "helene oeuvray". */
export function foldText(s: string): string {
  const lower = s.toLowerCase();
  if (isAscii(lower)) return lower;
  return lower.normalize('NFD').replace(COMBINING, '').replace(SPECIAL_RE, (c) => SPECIAL[c] ?? c);
}

/** Folded words of a text, in order, without empty strings. */
export function tokenize(s: string): string[] {
  if (s === '') return [];
  const parts = foldText(s).split(NON_WORD);
  const out: string[] = [];
  for (const p of parts) if (p !== '') out.push(p);
  return out;
}

/** Civilités and titles ignored when a display name is read as a person's name. */
export const NAME_TITLES: readonly string[] = ['dr', 'docteur', 'pr', 'professeur', 'mme', 'madame', 'm', 'mr', 'monsieur', 'mlle', 'melle', 'me'];
