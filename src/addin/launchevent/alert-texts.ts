// Runtime: Outlook event runtime (ES2016; pure string building, no Office call). The French texts of the Smart
// Alerts dialog and of the recipients info bar, each within Outlook's limits (errorMessage / errorMessageMarkdown
// ≤ 500 characters, cancelLabel ≤ 20, notification message ≤ 150; d.ts SmartAlertsEventCompletedOptions,
// NotificationMessageDetails).
import { countFr, listFr, type Classification, type Verdict, type VerdictReason } from '../../core';
import { isTrustedKind } from '../../core';

/** Manifest `Control id` of the "Envoyer en MSSanté" compose button: the Smart Alerts button opens that task pane. */
export const TASKPANE_COMMAND_ID = 'msgComposeOpenPaneButton';
/** Label of the Smart Alerts button that opens the task pane (cancelLabel, ≤ 20 characters, Mailbox 1.14). */
export const FIX_LABEL = 'Corriger';
/** errorMessage and errorMessageMarkdown are limited to 500 characters. */
export const MAX_MESSAGE_LENGTH = 500;
/** Notification messages are limited to 150 characters. */
export const MAX_NOTIFICATION_LENGTH = 150;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** Escapes the characters errorMessageMarkdown interprets (bold/italic, lists, links, backslash). */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_[\]()#`>+-])/g, '\\$1');
}

/**
 * One short French sentence per reason: the problem, the recipients concerned, the fix. `healthTo` is set when
 * HEALTH_DATA_TO_NON_MSSANTE is present: MIXED_RECIPIENTS about the same recipients is then said once.
 */
export function reasonLine(r: VerdictReason, healthAlsoListed: boolean): string | undefined {
  const n = r.addresses.length;
  const list = listFr(r.addresses, 3);
  switch (r.code) {
    case 'HEALTH_DATA_TO_NON_MSSANTE':
      return (
        'Données de santé détectées : ' +
        countFr(n, 'destinataire n’est pas une adresse MSSanté', 'destinataires ne sont pas des adresses MSSanté') +
        ' : ' +
        list +
        '. Retirez-' +
        (n > 1 ? 'les' : 'le') +
        ' ou envoyez en MSSanté.'
      );
    case 'MIXED_RECIPIENTS':
      if (healthAlsoListed) return undefined;
      return (
        countFr(n, 'destinataire n’est pas une adresse MSSanté', 'destinataires ne sont pas des adresses MSSanté') +
        ', mélangés à des adresses MSSanté : ' +
        list +
        '. Envoyez deux messages séparés.'
      );
    case 'GATEWAY_RECIPIENT':
      return (
        countFr(n, 'destinataire passe', 'destinataires passent') +
        ' par une passerelle : ' +
        list +
        '. Utilisez de préférence l’adresse MSSanté directe.'
      );
    case 'PATIENT_WITHOUT_QUALIFIED_INS':
      return 'Adresse patient sans INS qualifié : ' + list + '. Qualifiez l’INS (téléservice INSi) avant l’envoi.';
    case 'INVALID_RECIPIENT':
      return countFr(n, 'adresse invalide', 'adresses invalides') + ' : ' + list + '. Corrigez-' + (n > 1 ? 'les' : 'la') + ' ou retirez-' + (n > 1 ? 'les' : 'la') + '.';
    case 'NO_RECIPIENT':
      return 'Aucun destinataire : ajoutez-en au moins un.';
    case 'CONNECTOR_UNREACHABLE':
      return 'Connecteur MSSanté injoignable : destinataires vérifiés avec la liste blanche intégrée seulement, sans l’annuaire.';
    default:
      return undefined;
  }
}

/** The texts of a warn / block dialog. */
export interface AlertTexts {
  readonly errorMessage: string;
  readonly errorMessageMarkdown: string;
}

/**
 * Builds the dialog texts of a verdict (French, ≤ 500 characters each): what is wrong, one line per reason with the
 * recipients concerned and the fix, then what the buttons do. Whole lines are dropped rather than cut when too long.
 */
export function alertTexts(verdict: Verdict): AlertTexts {
  const intro =
    verdict.action === 'block' ? 'Envoi bloqué par la politique MSSanté de votre structure.' : 'Vérifiez ce message avant de l’envoyer.';
  const outro =
    verdict.action === 'block'
      ? '« ' + FIX_LABEL + ' » ouvre le volet Envoyer en MSSanté avec les solutions.'
      : '« ' + FIX_LABEL + ' » ouvre le volet Envoyer en MSSanté, ou envoyez quand même.';
  const health = verdict.reasons.some(function (r) {
    return r.code === 'HEALTH_DATA_TO_NON_MSSANTE';
  });
  const lines: string[] = [];
  for (const r of verdict.reasons) {
    const line = reasonLine(r, health);
    if (line !== undefined) lines.push(line);
  }

  // Plain text (every client): intro, the lines that fit, outro.
  let plain = intro;
  for (const line of lines) {
    if (plain.length + 1 + line.length + 1 + outro.length <= MAX_MESSAGE_LENGTH) plain += ' ' + line;
  }
  const errorMessage = truncate(plain + ' ' + outro, MAX_MESSAGE_LENGTH);

  // Markdown (Mailbox 1.15): list items end with \r, paragraphs are separated by \n\n; whole items only.
  const mdIntro = '**' + escapeMarkdown(intro) + '**';
  const mdOutro = escapeMarkdown(outro);
  let items = '';
  for (const line of lines) {
    const next = '- ' + escapeMarkdown(line) + '\r';
    if (mdIntro.length + 2 + items.length + next.length + 2 + mdOutro.length <= MAX_MESSAGE_LENGTH) items += next;
  }
  const errorMessageMarkdown = truncate(
    items.length > 0 ? mdIntro + '\n\n' + items + '\n\n' + mdOutro : mdIntro + '\n\n' + mdOutro,
    MAX_MESSAGE_LENGTH,
  );
  return { errorMessage, errorMessageMarkdown };
}

/** What the recipients info bar says. */
export interface RecipientsSummary {
  /** Recipients outside the MSSanté trust space that are not gateways (ordinary, internal, Apicrypt, invalid). */
  readonly outside: readonly string[];
  readonly gateways: readonly string[];
}

/** Sorts classified recipients for the info bar. */
export function summariseRecipients(classifications: readonly Classification[]): RecipientsSummary {
  const outside: string[] = [];
  const gateways: string[] = [];
  for (const c of classifications) {
    const a = c.address !== undefined ? c.address : c.input;
    if (c.kind === 'gateway') {
      if (gateways.indexOf(a) < 0) gateways.push(a);
    } else if (!isTrustedKind(c.kind)) {
      if (outside.indexOf(a) < 0) outside.push(a);
    }
  }
  return { outside, gateways };
}

/**
 * The info bar text (≤ 150 characters), or undefined when there is nothing to say (then the bar is removed).
 * "2 destinataires hors MSSanté (a@x.fr, b@y.fr) et 1 via passerelle : pas de données de santé en clair."
 */
export function recipientsInfoText(summary: RecipientsSummary, options: { localOnly: boolean; healthAttachment: boolean }): string | undefined {
  const o = summary.outside.length;
  const g = summary.gateways.length;
  if (o === 0 && g === 0) return undefined;
  const prefix = options.healthAttachment ? 'Pièce jointe de santé ; ' : '';
  const tail = ' : pas de données de santé en clair.' + (options.localOnly ? ' (vérif. locale)' : '');
  const parts: string[] = [];
  if (o > 0) parts.push(countFr(o, 'destinataire hors MSSanté', 'destinataires hors MSSanté'));
  if (g > 0) parts.push(countFr(g, 'via passerelle', 'via passerelle'));
  const bare = prefix + parts.join(' et ') + tail;
  // Name as many recipients as fit, first the ones outside MSSanté.
  const named = summary.outside.concat(summary.gateways);
  for (let k = Math.min(named.length, 3); k > 0; k--) {
    const list = named.slice(0, k).join(', ') + (named.length > k ? '…' : '');
    const text = prefix + parts.join(' et ') + ' (' + list + ')' + tail;
    if (text.length <= MAX_NOTIFICATION_LENGTH) return text;
  }
  return truncate(bare, MAX_NOTIFICATION_LENGTH);
}
