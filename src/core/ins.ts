// Runtime: any (pure core). NIR / matricule INS validation (the local part of <matricule>@patient.mssante.fr).
//
// The matricule INS is the 15-character NIR (or NIA) used as the national health identifier
// (INS-NIR OID 1.2.250.1.213.1.4.8, INS-NIA 1.2.250.1.213.1.4.9; MSSANTE.md §3.2):
//   position 1      sex / category: 1, 2 (NIR); 3, 4 (persons born abroad being registered); 7, 8 (temporary numbers, NIA)
//   positions 2-3   year of birth
//   positions 4-5   month of birth: 01-12, or 20-42 / 50-99 (fictitious months INSEE assigns when unknown); never 00, 13-19, 43-49
//   positions 6-7   department of birth (2A / 2B for Corsica, 99 abroad)
//   positions 8-13  commune (3) and order number (3)
//   positions 14-15 key = 97 - (the 13-digit number mod 97); for Corsica 2A is replaced by 19 and 2B by 18 first.
// The arithmetic is exact without BigInt (ES2016): the remainder is computed digit by digit (Horner's rule).
// Messages never repeat the number itself (it is health data).

/** Result codes of {@link validateInsMatricule}. */
export const INS_CHECK_CODES = ['INS_OK', 'INS_FORMAT', 'INS_KEY', 'INS_SEX', 'INS_MONTH'] as const;
/** One of {@link INS_CHECK_CODES}. */
export type InsCheckCode = (typeof INS_CHECK_CODES)[number];

/** `nir`: first digit 1-4; `nia`: temporary number, first digit 7 or 8. */
export type InsKind = 'nir' | 'nia';

/** Outcome of a matricule INS check, as a value. */
export interface InsCheck {
  readonly valid: boolean;
  readonly code: InsCheckCode;
  /** Present when the matricule is valid. */
  readonly kind?: InsKind;
  /** French, for users. Never contains the number. */
  readonly message: string;
}

/** 13 characters: digits, with 2A / 2B allowed as department (positions 6-7). */
const FIRST13 = /^[0-9]{5}(?:[0-9]{2}|2[AaBb])[0-9]{6}$/;
/** 15 characters: the 13 above and a 2-digit key. */
const MATRICULE = /^[0-9]{5}(?:[0-9]{2}|2[AaBb])[0-9]{8}$/;

const OK_NIR: InsCheck = { valid: true, code: 'INS_OK', kind: 'nir', message: 'Matricule INS valide (NIR).' };
const OK_NIA: InsCheck = {
  valid: true,
  code: 'INS_OK',
  kind: 'nia',
  message: "Matricule INS valide (numéro d'identification d'attente, NIA).",
};
const BAD_FORMAT: InsCheck = {
  valid: false,
  code: 'INS_FORMAT',
  message:
    'Le matricule INS doit comporter 15 caractères : 13 chiffres (2A ou 2B pour un département de Corse) ' +
    'suivis de la clé à 2 chiffres, sans espace.',
};
const BAD_SEX: InsCheck = {
  valid: false,
  code: 'INS_SEX',
  message: 'Le premier chiffre du matricule INS doit être 1, 2, 3, 4, 7 ou 8.',
};
const BAD_MONTH: InsCheck = {
  valid: false,
  code: 'INS_MONTH',
  message:
    'Le mois de naissance du matricule INS (4e et 5e chiffres) doit être compris entre 01 et 12, 20 et 42, ou 50 et 99.',
};
const BAD_KEY: InsCheck = {
  valid: false,
  code: 'INS_KEY',
  message:
    'La clé du matricule INS (2 derniers chiffres) ne correspond pas aux 13 premiers caractères : vérifiez la saisie ' +
    "sur la carte Vitale ou l'attestation de droits.",
};

/** Remainder modulo 97 of the 13-character number, Corsica 2A -> 19 and 2B -> 18. Input already checked. */
function mod97(first13: string): number {
  const letter = first13.charCodeAt(6) | 0x20; // lower-case letter code; digit codes are unchanged by | 0x20
  const corsica = letter === 0x61 /* a */ || letter === 0x62; /* b */
  let r = 0;
  for (let i = 0; i < 13; i++) {
    let d = first13.charCodeAt(i) - 0x30;
    if (corsica && i === 5) d = 1; // 2A -> 19, 2B -> 18
    else if (corsica && i === 6) d = letter === 0x61 ? 9 : 8;
    r = (r * 10 + d) % 97;
  }
  return r;
}

/**
 * Key of a NIR / matricule INS: `97 − (number mod 97)` on the first 13 characters (2A -> 19, 2B -> 18 for Corsica).
 *
 * @param first13 the 13 characters before the key (digits; 2A / 2B as department)
 * @returns the key (1-97), or undefined when the input is not 13 such characters
 */
export function nirKey(first13: string): number | undefined {
  if (typeof first13 !== 'string' || !FIRST13.test(first13)) return undefined;
  return 97 - mod97(first13);
}

/**
 * Removes the spaces, dots and dashes people type between groups (`1 85 05 78 006 084 91`) and upper-cases 2a / 2b.
 * Use it before {@link validateInsMatricule}, which only takes the compact form.
 */
export function compactNir(s: string): string {
  return s.replace(/[\s.-]/g, '').toUpperCase();
}

function validMonth(m: number): boolean {
  return (m >= 1 && m <= 12) || (m >= 20 && m <= 42) || (m >= 50 && m <= 99);
}

/**
 * Validates a matricule INS (NIR or NIA) in compact form: 15 characters = 13 + 2-digit key.
 * Checks, in order: format (`INS_FORMAT`), first digit (`INS_SEX`), month of birth (`INS_MONTH`), key (`INS_KEY`).
 * Lower-case 2a / 2b are accepted (addresses are compared in lower case).
 *
 * @param value the compact matricule (see {@link compactNir} for typed input with spaces)
 * @returns a value, never throws; `kind` is 'nia' for first digit 7 or 8, else 'nir'
 */
export function validateInsMatricule(value: string): InsCheck {
  if (typeof value !== 'string' || value.length !== 15 || !MATRICULE.test(value)) return BAD_FORMAT;
  const sex = value.charCodeAt(0) - 0x30;
  if (sex !== 1 && sex !== 2 && sex !== 3 && sex !== 4 && sex !== 7 && sex !== 8) return BAD_SEX;
  const month = (value.charCodeAt(3) - 0x30) * 10 + (value.charCodeAt(4) - 0x30);
  if (!validMonth(month)) return BAD_MONTH;
  const key = (value.charCodeAt(13) - 0x30) * 10 + (value.charCodeAt(14) - 0x30);
  if (97 - mod97(value) !== key) return BAD_KEY;
  return sex >= 7 ? OK_NIA : OK_NIR;
}
