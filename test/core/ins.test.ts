// Runtime: Node (jest). NIR / matricule INS: key = 97 − (13-digit number mod 97), Corsica 2A -> 19, 2B -> 18.
import { compactNir, nirKey, validateInsMatricule, type InsCheckCode } from '../../src/core/ins';

// Keys checked by hand (long division), written as "number mod 97 = r, key = 97 − r":
//   1460263220001 mod 97 = 1  -> 96   (ANS example 146026322000196@patient.mssante.fr, MSSANTE.md §3.2: valid)
//   1850578006084 mod 97 = 6  -> 91   (the "1 85 05 78 006 084 91" example)
//   2690299341732 mod 97 = 12 -> 85   (born abroad, department 99)
//   175032A123456 -> 1750319123456 mod 97 = 91 -> 06   (Corse-du-Sud, 2A replaced by 19)
//   282112B045012 -> 2821118045012 mod 97 = 67 -> 30   (Haute-Corse, 2B replaced by 18)
//   7850578006084 mod 97 = 15 -> 82   (NIA-like temporary number, first digit 7)
//   8920199123045 mod 97 = 48 -> 49   (NIA-like, first digit 8)
//   3850578006084 mod 97 = 9  -> 88,  4011099123001 mod 97 = 51 -> 46   (first digit 3 / 4)
//   1853578006084 mod 97 = 11 -> 86   (fictitious month 35)
//   2996299123456 mod 97 = 11 -> 86   (fictitious month 62)
//   1850578006078 = 97 × 19077092846 -> r = 0, key 97;  1850578006073 mod 97 = 92 -> key 05 (leading zero)
const table: [label: string, value: string, code: InsCheckCode, kind?: 'nir' | 'nia'][] = [
  ['ANS example (MSSANTE.md §3.2)', '146026322000196', 'INS_OK', 'nir'],
  ['ordinary NIR', '185057800608491', 'INS_OK', 'nir'],
  ['born abroad (99)', '269029934173285', 'INS_OK', 'nir'],
  ['Corsica 2A', '175032A12345606', 'INS_OK', 'nir'],
  ['Corsica 2A, lower case (addresses are lower-cased)', '175032a12345606', 'INS_OK', 'nir'],
  ['Corsica 2B', '282112B04501230', 'INS_OK', 'nir'],
  ['first digit 3', '385057800608488', 'INS_OK', 'nir'],
  ['first digit 4', '401109912300146', 'INS_OK', 'nir'],
  ['NIA-like 7', '785057800608482', 'INS_OK', 'nia'],
  ['NIA-like 8', '892019912304549', 'INS_OK', 'nia'],
  ['fictitious month 35', '185357800608486', 'INS_OK', 'nir'],
  ['fictitious month 62', '299629912345686', 'INS_OK', 'nir'],
  ['key 97 (remainder 0)', '185057800607897', 'INS_OK', 'nir'],
  ['key with a leading zero', '185057800607305', 'INS_OK', 'nir'],
  ['ANS example with a wrong key', '146026322000197', 'INS_KEY'],
  ['key off by one', '185057800608490', 'INS_KEY'],
  ['two digits swapped', '185057800680491', 'INS_KEY'],
  ['Corsica 2A with the 2B key', '175032B12345606', 'INS_KEY'],
  // 1750320123456 mod 97 = 21 -> 76: the key a naive "2A -> 20" implementation would compute.
  ['Corsica 2A with the key of a naive 2A -> 20 computation', '175032A12345676', 'INS_KEY'],
  ['14 characters', '18505780060849', 'INS_FORMAT'],
  ['16 characters', '1850578006084911', 'INS_FORMAT'],
  ['13 characters (no key)', '1850578006084', 'INS_FORMAT'],
  ['spaces (use compactNir first)', '1 85 05 78 006 084 91', 'INS_FORMAT'],
  ['letter outside the department', '18505780060849A', 'INS_FORMAT'],
  ['department 2C', '175032C12345606', 'INS_FORMAT'],
  ['empty', '', 'INS_FORMAT'],
  ['first digit 5', '585057800608491', 'INS_SEX'],
  ['first digit 0', '085057800608491', 'INS_SEX'],
  ['first digit 9', '985057800608491', 'INS_SEX'],
  ['month 00', '185007800608491', 'INS_MONTH'],
  ['month 13', '185137800608491', 'INS_MONTH'],
  ['month 19', '185197800608491', 'INS_MONTH'],
  ['month 43', '185437800608491', 'INS_MONTH'],
  ['month 49', '185497800608491', 'INS_MONTH'],
];

describe('validateInsMatricule', () => {
  // Every row gets 4 arguments (a missing 4th would be taken for jest's `done` callback).
  test.each(table.map(([l, v, c, k]) => [l, v, c, k ?? null] as const))('%s: %s -> %s', (_label, value, code, kind) => {
    const r = validateInsMatricule(value);
    expect(r.code).toBe(code);
    expect(r.valid).toBe(code === 'INS_OK');
    expect(r.kind ?? null).toBe(kind);
    expect(r.message).not.toMatch(/\d{5}/); // never echo the number
    expect(r.message).toMatch(/[a-zé]/);
  });

  test('the reference key computation agrees with the table (independent check with integer arithmetic)', () => {
    for (const [, value, code] of table) {
      if (code !== 'INS_OK') continue;
      const first13 = value.slice(0, 13).toUpperCase().replace(/^(.{5})2A/, '$119').replace(/^(.{5})2B/, '$118');
      const n = Number(first13); // < 2^53: exact
      expect(97 - (n % 97)).toBe(Number(value.slice(13)));
    }
  });

  test('a non-string is a format error, not a throw', () => {
    expect(validateInsMatricule(185057800608491 as unknown as string).code).toBe('INS_FORMAT');
  });
});

describe('nirKey and compactNir', () => {
  test('keys', () => {
    expect(nirKey('1460263220001')).toBe(96);
    expect(nirKey('175032A123456')).toBe(6);
    expect(nirKey('175032A123456')).toBe(nirKey('1750319123456'));
    expect(nirKey('282112B045012')).toBe(nirKey('2821118045012'));
    expect(nirKey('1850578006078')).toBe(97);
    expect(nirKey('185057800608')).toBeUndefined();
    expect(nirKey('18505780060AB')).toBeUndefined();
  });

  test('compactNir removes group separators', () => {
    expect(compactNir('1 85 05 78 006 084 91')).toBe('185057800608491');
    expect(compactNir('1.75.03.2a.123.456.06')).toBe('175032A12345606');
    expect(validateInsMatricule(compactNir('1 85 05 78 006 084 91')).valid).toBe(true);
  });
});
