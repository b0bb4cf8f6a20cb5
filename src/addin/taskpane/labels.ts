// Runtime: browser (task pane). The core's label tables for the chosen language, in one place, plus how each address
// kind looks in a Badge: a distinct colour AND a distinct text (never colour alone, WCAG 2.1 SC 1.4.1).
import {
  FIX_LABELS_EN,
  FIX_LABELS_FR,
  KIND_LABELS_EN,
  KIND_LABELS_FR,
  MAILBOX_TYPE_LABELS_EN,
  MAILBOX_TYPE_LABELS_FR,
  REASON_LABELS_EN,
  REASON_LABELS_FR,
  VERDICT_LABELS_EN,
  VERDICT_LABELS_FR,
  VERDICT_REASON_LABELS_EN,
  VERDICT_REASON_LABELS_FR,
  type AddressKind,
  type Classification,
  type FixType,
  type MailboxType,
  type ReasonCode,
  type SuggestedFix,
  type VerdictAction,
  type VerdictReason,
  type VerdictReasonCode,
} from '../../core';
import type { Language } from './i18n';

export interface CoreLabels {
  readonly kind: Readonly<Record<AddressKind, string>>;
  readonly mailboxType: Readonly<Record<MailboxType, string>>;
  readonly reason: Readonly<Record<ReasonCode, string>>;
  readonly verdict: Readonly<Record<VerdictAction, string>>;
  readonly verdictReason: Readonly<Record<VerdictReasonCode, string>>;
  readonly fix: Readonly<Record<FixType, string>>;
  /** The core writes reason messages and fix labels in French; other languages use the short labels. */
  readonly coreMessagesInThisLanguage: boolean;
}

export const CORE_LABELS: Record<Language, CoreLabels> = {
  fr: {
    kind: KIND_LABELS_FR,
    mailboxType: MAILBOX_TYPE_LABELS_FR,
    reason: REASON_LABELS_FR,
    verdict: VERDICT_LABELS_FR,
    verdictReason: VERDICT_REASON_LABELS_FR,
    fix: FIX_LABELS_FR,
    coreMessagesInThisLanguage: true,
  },
  en: {
    kind: KIND_LABELS_EN,
    mailboxType: MAILBOX_TYPE_LABELS_EN,
    reason: REASON_LABELS_EN,
    verdict: VERDICT_LABELS_EN,
    verdictReason: VERDICT_REASON_LABELS_EN,
    fix: FIX_LABELS_EN,
    coreMessagesInThisLanguage: false,
  },
};

/** Text of a verdict reason: the core's full French message, or the short label in another language. */
export function reasonText(r: VerdictReason, labels: CoreLabels): string {
  if (labels.coreMessagesInThisLanguage) return r.message;
  return r.addresses.length > 0 ? `${labels.verdictReason[r.code]}: ${r.addresses.join(', ')}` : labels.verdictReason[r.code];
}

/** Text of a suggested fix, same rule. */
export function fixText(f: SuggestedFix, labels: CoreLabels): string {
  if (labels.coreMessagesInThisLanguage) return f.label;
  const target = [f.address, f.replacement].filter(Boolean).join(' → ');
  return target ? `${labels.fix[f.type]}: ${target}` : labels.fix[f.type];
}

/** Fluent UI v9 Badge colours. */
export type BadgeColor = 'brand' | 'danger' | 'important' | 'informative' | 'severe' | 'subtle' | 'success' | 'warning';
export type BadgeAppearance = 'filled' | 'ghost' | 'outline' | 'tint';

/** One look per kind: trusted kinds in green/blue, the others in amber/red, each with its own text. */
export const KIND_BADGE: Readonly<Record<AddressKind, { color: BadgeColor; appearance: BadgeAppearance }>> = {
  mssante: { color: 'success', appearance: 'filled' },
  patient: { color: 'brand', appearance: 'filled' },
  'apicrypt-bridge': { color: 'success', appearance: 'tint' },
  gateway: { color: 'warning', appearance: 'filled' },
  internal: { color: 'informative', appearance: 'outline' },
  apicrypt: { color: 'severe', appearance: 'tint' },
  external: { color: 'danger', appearance: 'filled' },
  invalid: { color: 'important', appearance: 'outline' },
};

/** The Badge text of a classification: the kind, refined by the MSSanté mailbox type when known. */
export function badgeText(c: Classification, labels: CoreLabels): string {
  if (c.kind === 'mssante' && c.mailboxType) return `${labels.kind.mssante} · ${labels.mailboxType[c.mailboxType]}`;
  return labels.kind[c.kind];
}
