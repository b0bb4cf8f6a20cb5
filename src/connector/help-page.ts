// Runtime: Node (connector). GET /aide.html: the support page named by the manifest's <SupportUrl>, in French, built
// from the same labels the add-in shows (so it cannot drift): what the add-in checks, what each badge means, what to
// do when the send check stops a message. No configuration secret and no personal data on it.
import type { FastifyInstance } from 'fastify';
import {
  ADDRESS_KINDS, KIND_LABELS_FR, MAILBOX_TYPE_LABELS_FR, MAILBOX_TYPES, POLICY_KEYS, REASON_LABELS_FR,
  VERDICT_REASON_CODES, VERDICT_REASON_LABELS_FR, type Policy, type PolicyMode,
} from '../core';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const MODE_FR: Record<PolicyMode, string> = { off: 'désactivé', warn: 'avertissement', block: 'blocage' };

const KIND_HELP_FR: Record<(typeof ADDRESS_KINDS)[number], string> = {
  mssante: 'Adresse de l\'espace de confiance MSSanté : vous pouvez y envoyer des données de santé.',
  patient: 'Messagerie de l\'usager dans Mon Espace Santé : l\'identité (INS) doit être qualifiée.',
  'apicrypt-bridge': 'Adresse Apicrypt reliée à MSSanté par la passerelle officielle : sécurisée.',
  apicrypt: 'Adresse Apicrypt hors MSSanté : sécurisée seulement si le message est chiffré par Apicrypt.',
  gateway: 'Adresse de la passerelle interne de la structure : ne l\'utilisez pas, écrivez à l\'adresse MSSanté réelle du correspondant (le volet la propose).',
  internal: 'Adresse de la messagerie de la structure (non MSSanté) : pas de données de santé.',
  external: 'Adresse ordinaire : aucune donnée de santé ne doit y partir.',
  invalid: 'Adresse mal écrite : corrigez-la.',
};

/** Renders the help page for the given policy. */
export function helpPageHtml(policy: Policy): string {
  const li = (s: string): string => `<li>${s}</li>`;
  const kinds = ADDRESS_KINDS.map((k) => `<tr><th scope="row">${escapeHtml(KIND_LABELS_FR[k])}</th><td>${escapeHtml(KIND_HELP_FR[k])}</td></tr>`).join('');
  const types = MAILBOX_TYPES.map((t) => li(escapeHtml(MAILBOX_TYPE_LABELS_FR[t]))).join('');
  const reasons = VERDICT_REASON_CODES.map((c) => li(escapeHtml(VERDICT_REASON_LABELS_FR[c]))).join('');
  const modes = POLICY_KEYS.map((k) => {
    const mode = policy[k];
    return li(`<code>${escapeHtml(k)}</code> : ${mode === undefined ? 'valeur par défaut' : MODE_FR[mode]}`);
  }).join('');
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aide — MSSanté pour Outlook</title>
<style>body{font-family:"Segoe UI",system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}code{background:#f3f3f3;padding:0 .2rem}</style>
</head><body><main>
<h1>Aide — MSSanté pour Outlook</h1>
<p>Ce complément vérifie que chaque destinataire est dans l'espace de confiance MSSanté avant que des données de santé,
médico-sociales ou sociales ne partent, et vous aide à écrire à la bonne adresse.</p>
<h2>Ce que signifient les badges</h2>
<table><tbody>${kinds}</tbody></table>
<p>Types de boîtes aux lettres MSSanté :</p><ul>${types}</ul>
<h2>Quand l'envoi est arrêté</h2>
<p>Au moment d'envoyer, le complément peut afficher une alerte pour l'une de ces raisons :</p><ul>${reasons}</ul>
<p>Cliquez sur <strong>Corriger</strong> : le volet « Envoyer en MSSanté » s'ouvre, montre chaque destinataire et propose
la correction (remplacer par l'adresse MSSanté, retirer le destinataire, envoyer séparément). Ne renvoyez jamais un
document de soins à une adresse ordinaire « pour aller plus vite ».</p>
<h2>Réglages de votre structure</h2><ul>${modes}</ul>
<p>Motifs de classement détaillés : ${Object.values(REASON_LABELS_FR).length} motifs, décrits dans la documentation
d'administration. Pour toute question, contactez le référent MSSanté ou l'administrateur de votre structure.</p>
</main></body></html>`;
}

/** Registers GET /aide.html. */
export function registerHelpPage(app: FastifyInstance, policy: Policy): void {
  const html = helpPageHtml(policy);
  app.get('/aide.html', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
}
