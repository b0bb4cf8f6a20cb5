// Runtime: Node (connector) renders it; the page runs in the administrator's browser. Read-only status of the
// connector, in French: the effective configuration (secrets masked, origin of each setting), the directory, the liste
// blanche, the operator, the queue, the last receipts and the last configuration reload. The server renders the
// status as HTML (renderStatusHtml, no framework); the page's few lines of script only attach the administrator's
// Entra token (pasted once, kept in sessionStorage for the tab, as on the traces page), fetch that HTML and offer
// "Recharger la configuration" (POST /api/admin/config/reload). No data is embedded in the page itself.

import { pluralFr } from '../../core';
import type { AdminStatus, SettingView } from './status-routes';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SOURCE_FR: Record<SettingView['source'], string> = { file: 'fichier', env: 'variable d\'environnement', cli: 'option de commande', default: 'défaut' };

/** "3 h 12 min", "2 j 4 h", "45 s". */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} j ${h % 24} h`;
}

/** "26/11/2026 17:05:03 UTC" from an ISO date (dates are shown in UTC: the server's logs and traces are). */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return esc(iso);
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

const nf = (n: number) => n.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ');

const RECEIPT_STATE_FR: Record<string, string> = { delivered: 'distribué', read: 'lu', failed: 'échec', delayed: 'retardé' };

/** The status as an HTML fragment (everything escaped). Also what the e2e test reads. */
export function renderStatusHtml(s: AdminStatus): string {
  const out: string[] = [];
  const ok = (good: boolean, yes: string, no: string) => `<span class="${good ? 'ok' : 'ko'}">${good ? yes : no}</span>`;

  // ---- summary -------------------------------------------------------------------------------------------------
  out.push('<section aria-labelledby="t-sante"><h2 id="t-sante">État de santé</h2><dl class="sante">');
  const d = s.directory;
  out.push(`<dt>Annuaire</dt><dd data-testid="annuaire"><strong data-testid="annuaire-taille">${nf(d.entries)}</strong> adresses ; ${
    d.loadedAt ? `chargé le ${formatDate(d.loadedAt)} (il y a <span data-testid="annuaire-age">${formatAge(d.ageSeconds ?? 0)}</span>)` : 'annuaire d\'exemple intégré (pas le fichier national)'
  }${d.source ? ` — source : <code>${esc(d.source)}</code>` : ''}${
    d.lastRefresh ? ` — dernier rafraîchissement : ${d.lastRefresh.ok ? ok(true, 'réussi', '') : `${ok(false, '', 'échec')} (${esc(d.lastRefresh.code ?? '')} : ${esc(d.lastRefresh.message ?? '')})`}` : ''
  }</dd>`);
  const t = s.trustSpace;
  out.push(`<dt>Liste blanche</dt><dd data-testid="liste-blanche"><strong data-testid="liste-blanche-taille">${nf(t.domains)}</strong> domaines ; générée le <span data-testid="liste-blanche-date">${formatDate(t.generatedAt)}</span> — source : ${esc(t.source)}</dd>`);
  const o = s.operator;
  out.push(`<dt>Opérateur MSSanté</dt><dd data-testid="operateur">${
    o.configured
      ? `<code>${esc(o.host ?? '')}:${o.port ?? ''}</code> : ${ok(o.reachable === true, 'joignable', 'injoignable')}${o.code ? ` (<code>${esc(o.code)}</code>)` : ''} — ${esc(o.message)}${o.checkedAt ? ` <small>(vérifié le ${formatDate(o.checkedAt)}${o.cached ? ', résultat gardé une minute' : ''})</small>` : ''}`
      : esc(o.message)
  }</dd>`);
  out.push(`<dt>File d'envoi</dt><dd data-testid="file"><strong data-testid="file-total">${nf(s.queue.total)}</strong> ${pluralFr(s.queue.total, 'message', 'messages')} : ${s.queue.byStatus
    .map((b) => `${esc(b.label)} <strong data-testid="file-${b.status}">${nf(b.count)}</strong>`)
    .join(', ')}${
    s.queue.waiting.length > 0
      ? `<br><span data-testid="file-attente">dont ${s.queue.waiting.map((w) => `${esc(w.label)} <strong data-testid="attente-${esc(w.code)}">${nf(w.count)}</strong>`).join(', ')}</span>`
      : ''
  }</dd>`);
  out.push('</dl></section>');

  // ---- receipts ------------------------------------------------------------------------------------------------
  out.push('<section aria-labelledby="t-accuses"><h2 id="t-accuses">Derniers accusés (distribution et lecture)</h2>');
  if (s.receipts.items.length === 0) {
    out.push(`<p data-testid="accuses-vide">${esc(s.receipts.message ?? 'aucun accusé reçu')}</p>`);
  } else {
    out.push('<table data-testid="accuses"><caption>Accusés de distribution (DSN) et de lecture (MDN) les plus récents</caption><thead><tr><th scope="col">Reçu le</th><th scope="col">Type</th><th scope="col">État</th><th scope="col">Code</th><th scope="col">BAL</th><th scope="col">Message (id)</th><th scope="col">Explication</th></tr></thead><tbody>');
    for (const r of s.receipts.items) {
      out.push(`<tr><td>${formatDate(r.receivedAt)}</td><td>${esc(r.type.toUpperCase())}</td><td>${esc(RECEIPT_STATE_FR[r.state] ?? r.state)}</td><td>${esc(r.status)}</td><td>${esc(r.mailbox)}</td><td><code>${esc(r.outboundId)}</code></td><td>${esc(r.explanation)}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  out.push('</section>');

  // ---- last reload ---------------------------------------------------------------------------------------------
  const c = s.configuration;
  out.push('<section aria-labelledby="t-rechargement"><h2 id="t-rechargement">Dernier rechargement de la configuration</h2>');
  out.push(`<p>Configuration en service : version <strong data-testid="config-version">${c.version}</strong>, appliquée le ${formatDate(c.appliedAt)} ; ${c.file ? `fichier <code>${esc(c.file)}</code>` : 'configuration intégrée de démonstration (pas de fichier)'}.</p>`);
  const r = s.lastReload;
  if (!r) {
    out.push('<p data-testid="rechargement">Aucun rechargement depuis le démarrage. Pour recharger : modifiez le fichier (relu automatiquement), envoyez SIGHUP au processus, ou utilisez le bouton ci-dessus.</p>');
  } else {
    out.push(`<div data-testid="rechargement"><p>${formatDate(r.at)} (${esc(r.triggerLabel)}) : ${
      r.applied ? ok(true, 'appliqué', '') : ok(false, '', 'refusé : la configuration précédente reste en service')
    }${r.applied ? ` — ${r.changed.length > 0 ? `réglages modifiés : ${r.changed.map((k) => `<code>${esc(k)}</code>`).join(', ')}` : 'aucun réglage modifié'}` : ''}.</p>`);
    const list = (title: string, items: readonly string[], testid: string) =>
      items.length > 0 ? `<p>${title}</p><ul data-testid="${testid}">${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : '';
    out.push(list('Erreurs (à corriger dans le fichier) :', r.errors, 'rechargement-erreurs'));
    out.push(list('Redémarrage nécessaire :', r.restartRequired, 'rechargement-redemarrage'));
    out.push(list('Avertissements :', r.warnings, 'rechargement-avertissements'));
    out.push('</div>');
  }
  out.push('</section>');

  // ---- effective configuration ---------------------------------------------------------------------------------
  out.push('<section aria-labelledby="t-config"><h2 id="t-config">Configuration en service</h2>');
  out.push('<table data-testid="configuration"><caption>Chaque réglage, sa valeur en service (secrets masqués), son origine et son mode de prise en compte</caption><thead><tr><th scope="col">Réglage</th><th scope="col">Valeur</th><th scope="col">Origine</th><th scope="col">Prise en compte</th></tr></thead><tbody>');
  for (const st of c.settings) {
    const value = st.value === null ? `<span class="absent">absent (défaut : ${esc(st.default)})</span>` : st.masked ? `<em>${esc(st.value)}</em>` : `<code>${esc(st.value)}</code>`;
    const source = st.source === 'env' && st.env ? `${SOURCE_FR.env} <code>${esc(st.env)}</code>` : SOURCE_FR[st.source];
    out.push(`<tr data-key="${esc(st.key)}"><th scope="row"><code>${esc(st.key)}</code></th><td>${value}</td><td>${source}</td><td>${st.reloadable ? 'à chaud (rechargement)' : 'au redémarrage'}</td></tr>`);
  }
  out.push('</tbody></table></section>');
  out.push(`<p class="pied">mss-outlook ${esc(s.version)} — état établi le ${formatDate(s.generatedAt)}.</p>`);
  return out.join('\n');
}

/** The page (no data inside: the status comes from /api/admin/status/view with the token). */
export const ADMIN_STATUS_PAGE = `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>État du connecteur – mss-outlook</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;line-height:1.45;color:#1b1b1b;background:#fff}
header,main{max-width:72rem;margin:0 auto;padding:0 1.5rem}
h1{font-size:1.6rem;margin:1.5rem 0 .5rem}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem;border-bottom:1px solid #ccc;padding-bottom:.25rem}
form{display:flex;gap:.75rem;flex-wrap:wrap;align-items:end;margin:1rem 0}
label{display:flex;flex-direction:column;font-size:.95rem}
input{font:inherit;padding:.3rem .4rem;border:1px solid #595959;border-radius:3px}
button{font:inherit;padding:.35rem .9rem;border:1px solid #0b4f8a;background:#0b5cad;color:#fff;border-radius:3px;cursor:pointer}
button.secondaire{background:#fff;color:#0b4f8a}
button:focus-visible,input:focus-visible{outline:3px solid #ffbf47;outline-offset:1px}
#etat{min-height:1.5rem;margin:.5rem 0;font-weight:600}
dl.sante{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}
dl.sante dt{font-weight:700}
dl.sante dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.85rem}
caption{text-align:left;font-size:.9rem;color:#333;padding:.25rem 0}
th,td{border:1px solid #b3b3b3;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#eef1f4}
tbody th{font-weight:400}
code{font-size:.85em;word-break:break-all}
.ok{color:#0a6b2d;font-weight:700}
.ko{color:#b00020;font-weight:700}
.absent{color:#4d4d4d}
.pied{color:#4d4d4d;font-size:.85rem;margin:2rem 0}
</style></head>
<body>
<header>
<h1>État du connecteur MSSanté</h1>
<p>Consultation en lecture seule, réservée aux administrateurs (réglage <code>admin.users</code>) : configuration en
service, annuaire, liste blanche, opérateur, file d'envoi, derniers accusés et rechargements de la configuration.
Jamais le contenu des messages ; les secrets sont masqués.</p>
</header>
<main>
<form id="acces">
<label for="jeton">Jeton d'accès (administrateur)<input id="jeton" type="password" autocomplete="off" size="34"></label>
<button type="submit">Afficher l'état</button>
<button type="button" id="recharger" class="secondaire">Recharger la configuration</button>
</form>
<noscript><p>Cette page a besoin de JavaScript pour joindre votre jeton à la demande. Sans JavaScript, l'état est
disponible en JSON : <code>GET /api/admin/status</code> avec l'en-tête <code>Authorization: Bearer &lt;jeton&gt;</code>.</p></noscript>
<div id="etat" role="status" aria-live="polite"></div>
<div id="contenu"></div>
</main>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  $('jeton').value = sessionStorage.getItem('mssJeton') || '';
  function headers() { return { authorization: 'Bearer ' + $('jeton').value.trim() }; }
  function erreur(r) {
    return r.json().then(function (b) { return b && b.error ? b.error : { message: 'Réponse inattendue (' + r.status + ').' }; }, function () { return { message: 'Réponse inattendue (' + r.status + ').' }; });
  }
  function afficher(message) {
    $('etat').textContent = 'Chargement…';
    return fetch('/api/admin/status/view', { headers: headers() }).then(function (r) {
      if (!r.ok) return erreur(r).then(function (e) { $('etat').textContent = e.message; });
      return r.text().then(function (html) { $('contenu').innerHTML = html; $('etat').textContent = message || 'État à jour.'; });
    }, function () { $('etat').textContent = 'Le connecteur ne répond pas.'; });
  }
  $('acces').addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem('mssJeton', $('jeton').value.trim());
    afficher();
  });
  $('recharger').addEventListener('click', function () {
    sessionStorage.setItem('mssJeton', $('jeton').value.trim());
    $('etat').textContent = 'Rechargement de la configuration…';
    fetch('/api/admin/config/reload', { method: 'POST', headers: headers() }).then(function (r) {
      if (r.ok) return r.json().then(function (b) { return afficher('Configuration rechargée (version ' + b.version + ').'); });
      return erreur(r).then(function (e) { return afficher(e.message); });
    }, function () { $('etat').textContent = 'Le connecteur ne répond pas.'; });
  });
  if ($('jeton').value) afficher();
})();
</script>
</body></html>
`;
