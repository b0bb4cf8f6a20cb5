// Runtime: Node (connector) serves it; the page runs in the administrator's browser. Read-only: it lists the
// traces through GET /api/admin/traces with the administrator's Entra token (pasted once, kept in sessionStorage
// for the tab) and links to the CSV export of one mailbox. No data is embedded in the page itself.

export const ADMIN_TRACES_PAGE = `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Traces MSSanté – mss-outlook</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;line-height:1.4}
form{display:flex;gap:.75rem;flex-wrap:wrap;align-items:end;margin-bottom:1rem}
label{display:flex;flex-direction:column;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}
#etat{margin:.5rem 0;color:#444}
</style></head>
<body>
<h1>Traces des actions MSSanté</h1>
<p>Consultation en lecture seule (FAQ ANS 10217, SC.MSS/CONF.17-18) : auteur, horodatage du poste et du serveur,
action, requête envoyée au serveur de l'opérateur et sa réponse. Jamais le contenu des messages.</p>
<form id="filtres">
<label>Jeton d'accès (administrateur)<input id="jeton" type="password" autocomplete="off" size="30"></label>
<label>BAL<input id="bal" type="email" size="32" placeholder="secretariat@hopital.mssante.fr"></label>
<label>Action<select id="action"><option value="">toutes</option><option>envoi</option><option>suppression</option><option>consultation</option></select></label>
<label>Du<input id="du" type="date"></label>
<label>Au<input id="au" type="date"></label>
<button type="submit">Afficher</button>
<a id="csv" href="#" hidden>Exporter en CSV (cette BAL)</a>
</form>
<div id="etat" role="status"></div>
<table><thead><tr><th>Heure (UTC)</th><th>Heure du poste</th><th>Auteur</th><th>BAL</th><th>Action</th><th>Requête</th><th>Réponse</th><th>Message-ID</th><th>Résultat</th></tr></thead>
<tbody id="lignes"></tbody></table>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  $('jeton').value = sessionStorage.getItem('mssJeton') || '';
  function params() {
    var p = new URLSearchParams();
    if ($('bal').value) p.set('mailbox', $('bal').value);
    if ($('action').value) p.set('action', $('action').value);
    if ($('du').value) p.set('from', $('du').value);
    if ($('au').value) p.set('to', $('au').value);
    return p;
  }
  function td(text) { var c = document.createElement('td'); c.textContent = text == null ? '' : String(text); return c; }
  function headers() { return { authorization: 'Bearer ' + $('jeton').value.trim() }; }
  $('csv').addEventListener('click', function (e) {
    e.preventDefault();
    fetch('/api/admin/traces.csv?' + params().toString(), { headers: headers() }).then(function (r) {
      if (!r.ok) return r.json().then(function (b) { $('etat').textContent = b.error.message; });
      return r.blob().then(function (b) { var a = document.createElement('a'); a.href = URL.createObjectURL(b); a.download = 'traces.csv'; a.click(); });
    });
  });
  $('filtres').addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem('mssJeton', $('jeton').value.trim());
    $('csv').hidden = !$('bal').value;
    $('etat').textContent = 'Chargement…';
    fetch('/api/admin/traces?' + params().toString(), { headers: headers() }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, b: b }; }); }).then(function (x) {
      var body = $('lignes'); body.textContent = '';
      if (!x.ok) { $('etat').textContent = x.b.error.message; return; }
      x.b.traces.forEach(function (t) {
        var tr = document.createElement('tr');
        [t.tsUtc, t.tsWorkstation, t.actor, t.mailbox, t.action, t.request, (t.replyCode || '') + ' ' + (t.replyText || ''), t.messageId, t.outcome].forEach(function (v) { tr.appendChild(td(v)); });
        body.appendChild(tr);
      });
      $('etat').textContent = x.b.traces.length + ' trace(s).';
    }, function () { $('etat').textContent = 'Le connecteur ne répond pas.'; });
  });
})();
</script>
</body></html>
`;
