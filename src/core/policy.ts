// Runtime: any (pure core). evaluateSend(): what is about to be sent + the admin policy -> a Verdict.
//
// The same function runs in the Smart Alerts send handler, in the task pane and in the connector before relaying
// (STYLE.md): one rule set, three surfaces. It returns a value; each surface maps it in one place.

import { detectHealthData } from './detect';
import { assertNever, FIX_LABELS_FR, listFr, verdictReasonMessageFr } from './messages-fr';
import {
  POLICY_MODES,
  type AddressKind,
  type CandidateRecipient,
  type Classification,
  type Policy,
  type PolicyMode,
  type SendCandidate,
  type SuggestedFix,
  type Verdict,
  type VerdictAction,
  type VerdictReason,
  type VerdictReasonCode,
} from './types';

/**
 * Default policy, chosen for a health organisation that starts using the add-in:
 * - `healthDataToNonMssante: 'warn'`: detection is heuristic (v1); a warning with one-click fixes catches the
 *   mistakes without blocking legitimate mail on a false positive. Organisations raise it to 'block' once tuned.
 * - `mixedRecipients: 'warn'`: mixing MSSanté and ordinary addresses is how health data leaks by "reply all".
 * - `gatewayRecipient: 'warn'`: a gateway relays to MSSanté but the first hop is outside the trust space; the
 *   direct MSSanté address is better and is offered when it can be decoded.
 * - `patientWithoutQualifiedIns: 'block'`: writing to Mon Espace Santé requires a qualified INS (Référentiel INS,
 *   exigence INS/va1.53; MSS to patients): an unqualified identity may reach the wrong person's record.
 * - `connectorDown: 'warn'`: when the connector cannot be reached at send time, the recipients are checked with the
 *   bundled liste blanche only (no directory); the user is told so and chooses. Never a silent pass.
 */
export const DEFAULT_POLICY: Policy = {
  healthDataToNonMssante: 'warn',
  mixedRecipients: 'warn',
  gatewayRecipient: 'warn',
  patientWithoutQualifiedIns: 'block',
  connectorDown: 'warn',
};

/** The policy settings, in documentation order. */
export const POLICY_KEYS = [
  'healthDataToNonMssante',
  'mixedRecipients',
  'gatewayRecipient',
  'patientWithoutQualifiedIns',
  'connectorDown',
] as const satisfies readonly (keyof Policy)[];

/** Result of {@link parsePolicy}. */
export type ParsePolicyResult =
  | { readonly ok: true; readonly policy: Policy }
  | { readonly ok: false; readonly errors: string[] };

function isPolicyMode(v: unknown): v is PolicyMode {
  return typeof v === 'string' && (POLICY_MODES as readonly string[]).indexOf(v) >= 0;
}

/**
 * Validates a policy from configuration (JSON file, admin settings). Missing settings take their default
 * ({@link DEFAULT_POLICY}); unknown settings and invalid values are errors (French, naming the setting and the
 * allowed values).
 */
export function parsePolicy(value: unknown): ParsePolicyResult {
  if (value === undefined || value === null) return { ok: true, policy: DEFAULT_POLICY };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      errors: [
        `La politique d'envoi doit être un objet JSON dont les réglages sont ${POLICY_KEYS.join(', ')}.`,
      ],
    };
  }
  const errors: string[] = [];
  const v = value as Record<string, unknown>;
  const allowed = POLICY_MODES.map((m) => `« ${m} »`).join(', ');
  for (const key of Object.keys(v)) {
    if ((POLICY_KEYS as readonly string[]).indexOf(key) < 0) {
      errors.push(`Réglage inconnu « ${key} » dans la politique d'envoi : les réglages possibles sont ${POLICY_KEYS.join(', ')}.`);
    }
  }
  const policy: { -readonly [K in keyof Policy]: Policy[K] } = { ...DEFAULT_POLICY };
  for (const key of POLICY_KEYS) {
    const mode = v[key];
    if (mode === undefined) continue;
    if (isPolicyMode(mode)) policy[key] = mode;
    else {
      errors.push(
        `Le réglage « ${key} » de la politique d'envoi vaut ${JSON.stringify(mode)} : valeurs possibles ${allowed} ` +
          `(désactivé, avertir, bloquer).`,
      );
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, policy };
}

/** True for the kinds inside the MSSanté trust space (health data may go there). Exhaustive over AddressKind. */
export function isTrustedKind(kind: AddressKind): boolean {
  switch (kind) {
    case 'mssante':
    case 'patient':
    case 'apicrypt-bridge':
      return true;
    case 'apicrypt':
    case 'gateway':
    case 'internal':
    case 'external':
    case 'invalid':
      return false;
    default:
      return assertNever(kind);
  }
}

function rank(action: VerdictAction): number {
  switch (action) {
    case 'allow':
      return 0;
    case 'warn':
      return 1;
    case 'block':
      return 2;
    default:
      return assertNever(action);
  }
}

function addressOf(c: Classification): string {
  return c.address ?? c.input;
}

function unique(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    if (!seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

/** Options of {@link evaluateSend}. */
export interface EvaluateOptions {
  /**
   * Hook for the directory: the MSSanté address of the person behind a non-MSSanté address, when known.
   * When it answers, a `replace` fix is offered. (Filled by the Directory issue.)
   */
  readonly suggestMssanteAddress?: (recipient: Classification) => string | undefined;
}

/**
 * Evaluates a message about to be sent against the policy.
 *
 * Reasons (one per situation whose mode is not 'off'): HEALTH_DATA_TO_NON_MSSANTE (health data detected and at least
 * one valid recipient outside the trust space), MIXED_RECIPIENTS (trusted and untrusted recipients together),
 * GATEWAY_RECIPIENT, PATIENT_WITHOUT_QUALIFIED_INS, CONNECTOR_UNREACHABLE (`connectorUnreachable`, mode
 * `policy.connectorDown`, default 'warn'); plus INVALID_RECIPIENT (always 'block': the message cannot be
 * delivered) and NO_RECIPIENT (always 'warn'). The action is the strongest reason's; reasons are sorted strongest
 * first. Fixes: `replace` (decoded gateway or directory suggestion), `remove` each untrusted or invalid recipient,
 * `split`, `send-via-mssante`, `qualify-ins`.
 *
 * @param candidate recipients (classified), content or a precomputed detection, INS status
 * @param policy a validated policy (see {@link parsePolicy})
 */
export function evaluateSend(candidate: SendCandidate, policy: Policy, options?: EvaluateOptions): Verdict {
  const detection = candidate.detection ?? detectHealthData(candidate.content ?? {});
  const recipients: readonly CandidateRecipient[] = candidate.recipients ?? [];
  const classifications = recipients.map((r) => r.classification);

  const invalid = unique(classifications.filter((c) => c.kind === 'invalid').map(addressOf));
  const valid = classifications.filter((c) => c.kind !== 'invalid');
  const trusted = valid.filter((c) => isTrustedKind(c.kind));
  const untrustedC = valid.filter((c) => !isTrustedKind(c.kind));
  const untrusted = unique(untrustedC.map(addressOf));
  const gatewaysC = valid.filter((c) => c.kind === 'gateway');
  const patients = unique(valid.filter((c) => c.kind === 'patient').map(addressOf));

  const reasons: VerdictReason[] = [];
  const add = (code: VerdictReasonCode, mode: PolicyMode, addresses: readonly string[]): void => {
    if (mode === 'off') return;
    reasons.push({ code, action: mode, addresses, message: verdictReasonMessageFr(code, addresses) });
  };

  if (recipients.length === 0) add('NO_RECIPIENT', 'warn', []);
  if (invalid.length > 0) add('INVALID_RECIPIENT', 'block', invalid);
  const healthToUntrusted = detection.healthData && untrusted.length > 0;
  if (healthToUntrusted) add('HEALTH_DATA_TO_NON_MSSANTE', policy.healthDataToNonMssante, untrusted);
  const mixed = trusted.length > 0 && untrusted.length > 0;
  if (mixed) add('MIXED_RECIPIENTS', policy.mixedRecipients, untrusted);
  if (gatewaysC.length > 0) add('GATEWAY_RECIPIENT', policy.gatewayRecipient, unique(gatewaysC.map(addressOf)));
  if (patients.length > 0 && candidate.insQualified !== true) {
    add('PATIENT_WITHOUT_QUALIFIED_INS', policy.patientWithoutQualifiedIns, patients);
  }
  if (candidate.connectorUnreachable === true) add('CONNECTOR_UNREACHABLE', policy.connectorDown ?? 'warn', []);

  // Stable sort, strongest first (Array.prototype.sort is stable since ES2019; do it by hand for ES2016 runtimes).
  const ordered = reasons
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(b.r.action) - rank(a.r.action) || a.i - b.i)
    .map((x) => x.r);
  let action: VerdictAction = 'allow';
  for (const r of ordered) if (rank(r.action) > rank(action)) action = r.action;

  const fixes: SuggestedFix[] = [];
  const active = new Set(ordered.map((r) => r.code));
  const fixKeys = new Set<string>();
  const addFix = (fix: SuggestedFix): void => {
    const key = `${fix.type}\u0000${fix.address ?? ''}`;
    if (fixKeys.has(key)) return;
    fixKeys.add(key);
    fixes.push(fix);
  };

  if (active.has('GATEWAY_RECIPIENT') || active.has('HEALTH_DATA_TO_NON_MSSANTE') || active.has('MIXED_RECIPIENTS')) {
    for (const c of untrustedC) {
      const replacement =
        c.kind === 'gateway' ? c.decodedAddress : options?.suggestMssanteAddress ? options.suggestMssanteAddress(c) : undefined;
      if (replacement !== undefined && replacement !== addressOf(c)) {
        addFix({
          type: 'replace',
          address: addressOf(c),
          replacement,
          label: `Remplacer ${addressOf(c)} par son adresse MSSanté ${replacement}`,
        });
      }
    }
  }
  if (active.has('HEALTH_DATA_TO_NON_MSSANTE')) {
    for (const a of untrusted) addFix({ type: 'remove', address: a, label: `Retirer ${a}` });
    if (trusted.length > 0) addFix(splitFix(untrusted));
    addFix({
      type: 'send-via-mssante',
      label: `${FIX_LABELS_FR['send-via-mssante']} : seuls les destinataires MSSanté recevront les données de santé`,
    });
  }
  if (active.has('MIXED_RECIPIENTS')) addFix(splitFix(untrusted));
  if (active.has('PATIENT_WITHOUT_QUALIFIED_INS')) {
    addFix({ type: 'qualify-ins', label: "Qualifier l'INS du patient (téléservice INSi) avant l'envoi" });
  }
  if (active.has('INVALID_RECIPIENT')) {
    for (const a of invalid) addFix({ type: 'remove', address: a, label: `Retirer l'adresse invalide ${a}` });
  }

  return { action, reasons: ordered, fixes, detection };
}

function splitFix(untrusted: readonly string[]): SuggestedFix {
  return {
    type: 'split',
    label: `Envoyer un message séparé, sans données de santé, à ${listFr(untrusted, 3)}`,
  };
}
