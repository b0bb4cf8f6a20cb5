// Runtime: any (pure core). "Vous vouliez dire ..." for an ordinary (non-MSSanté) address: MSSanté addresses of the
// same person or service, first from the structure's correspondence table, then from the directory by the name
// read in the address (`prenom.nom@...`, `p.nom@...`, `prenomnom@...`) and in the display name. Each candidate
// carries a confidence (0–1) and the evidence shown to the user, as data.

import { parseMailbox } from '../address';
import type { Classification } from '../types';
import type { DirectoryIndex, DirectoryRecord } from './directory-index';
import type { MappingTable } from './mapping';
import { NAME_TITLES, tokenize } from './text';

/** Why a candidate is proposed. */
export const EVIDENCE_CODES = ['MAPPING_TABLE', 'ADDRESS_NAME', 'ADDRESS_INITIAL', 'DISPLAY_NAME', 'HOMONYMS'] as const;
export type EvidenceCode = (typeof EVIDENCE_CODES)[number];

/** One piece of evidence, with a French sentence for the user. */
export interface Evidence {
  readonly code: EvidenceCode;
  readonly message: string;
}

/** One proposed MSSanté address. */
export interface SuggestCandidate {
  readonly address: string;
  /** 0–1; 0.99 for the structure's own table, lower for a name match, divided among homonyms. */
  readonly confidence: number;
  readonly evidence: readonly Evidence[];
  /** What the directory says of it, when known. */
  readonly record?: DirectoryRecord;
}

/** Where suggestions come from. */
export interface SuggestContext {
  readonly index?: DirectoryIndex;
  readonly mapping?: MappingTable;
  /** At most this many candidates (default 5). */
  readonly max?: number;
}

/** Name words read from a local part: `jean.dupont` → [["jean","dupont"]]; `jdupont` → [["j","dupont"]] ... */
export function namesFromLocalPart(local: string, index?: DirectoryIndex): string[][] {
  const words = tokenize(local.replace(/[0-9]+/g, ' ').replace(/[._+=-]/g, ' '));
  if (words.length >= 2) return [words.slice(0, 4)];
  if (words.length !== 1) return [];
  const w = words[0];
  const out: string[][] = [];
  if (w.length >= 4) out.push([w.slice(0, 1), w.slice(1)]); // jdupont
  if (index && w.length >= 5 && w.length <= 40) {
    // jeandupont / dupontjean: both halves must be known words
    for (let k = 2; k <= w.length - 2; k++) {
      const a = w.slice(0, k);
      const b = w.slice(k);
      if (index.findByName([a, b], ['PER'], 1).length > 0) out.push([a, b]);
    }
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * MSSanté candidates for an ordinary address (and its display name), best first. Never throws; an invalid
 * address gives no candidate.
 */
export function suggestMssanteAddresses(input: { address: string; displayName?: string }, ctx: SuggestContext): SuggestCandidate[] {
  const parsed = parseMailbox(input.address);
  if (!parsed.ok) return [];
  const { address, local } = parsed.mailbox;
  const displayName = input.displayName ?? parsed.mailbox.displayName;
  const byAddress = new Map<string, { confidence: number; evidence: Evidence[]; index: number }>();
  const index = ctx.index;
  const add = (candidate: string, recordIndex: number, confidence: number, evidence: Evidence) => {
    const found = byAddress.get(candidate);
    if (found) {
      // two independent reasons agree: more confident
      found.confidence = Math.min(0.99, Math.max(found.confidence, confidence) + 0.1);
      found.evidence.push(evidence);
    } else {
      byAddress.set(candidate, { confidence, evidence: [evidence], index: recordIndex });
    }
  };

  // 1. the structure's correspondence table
  for (const to of ctx.mapping?.get(address) ?? []) {
    add(to, index ? index.find(to) : -1, 0.99, { code: 'MAPPING_TABLE', message: 'Adresse MSSanté indiquée par la table de correspondance de votre structure.' });
  }

  if (index) {
    // 2. the name in the address
    for (const words of namesFromLocalPart(local, index)) {
      const hasInitial = words.some((w) => w.length === 1);
      const found = index.findByName(words, ['PER'], 20);
      for (const r of found) {
        const rec = index.record(r);
        const who = rec.name ?? rec.address;
        const base = hasInitial ? 0.5 : 0.8;
        const confidence = found.length === 1 ? base : base / Math.min(found.length, 10);
        add(
          rec.address,
          r,
          round2(confidence),
          hasInitial
            ? { code: 'ADDRESS_INITIAL', message: `L'adresse « ${local} » correspond à l'initiale et au nom de ${who} dans l'annuaire santé.` }
            : { code: 'ADDRESS_NAME', message: `L'adresse « ${local} » contient le prénom et le nom de ${who} dans l'annuaire santé.` },
        );
      }
    }
    // 3. the display name
    if (displayName) {
      const words = tokenize(displayName).filter((w) => NAME_TITLES.indexOf(w) < 0).slice(0, 4);
      if (words.length >= 2) {
        const found = index.findByName(words, ['PER'], 20);
        for (const r of found) {
          const rec = index.record(r);
          const confidence = found.length === 1 ? 0.75 : 0.75 / Math.min(found.length, 10);
          add(rec.address, r, round2(confidence), { code: 'DISPLAY_NAME', message: `Le nom affiché « ${displayName} » est celui de ${rec.name ?? rec.address} dans l'annuaire santé.` });
        }
      }
    }
  }

  const out: SuggestCandidate[] = [];
  byAddress.forEach((c, a) => {
    const evidence = c.evidence.slice();
    if (c.confidence < 0.5 && evidence[0].code !== 'MAPPING_TABLE') {
      evidence.push({ code: 'HOMONYMS', message: 'Plusieurs professionnels portent ce nom : vérifiez la profession et la structure avant de choisir.' });
    }
    out.push({ address: a, confidence: round2(c.confidence), evidence, ...(index && c.index >= 0 ? { record: index.record(c.index) } : {}) });
  });
  out.sort((x, y) => y.confidence - x.confidence || (x.address < y.address ? -1 : 1));
  return out.slice(0, ctx.max ?? 5);
}

/**
 * The `suggestMssanteAddress` hook of evaluateSend: the best candidate when it is confident enough (default 0.75:
 * the correspondence table, or a single person with that name).
 */
export function directorySuggestionHook(ctx: SuggestContext, threshold = 0.75): (recipient: Classification) => string | undefined {
  return (c) => {
    if (!c.address) return undefined;
    const best = suggestMssanteAddresses({ address: c.address, ...(c.displayName ? { displayName: c.displayName } : {}) }, { ...ctx, max: 1 })[0];
    return best && best.confidence >= threshold ? best.address : undefined;
  };
}
