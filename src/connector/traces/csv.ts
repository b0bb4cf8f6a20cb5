// Runtime: Node (connector). CSV export of the traces of one mailbox: `;` separated (French spreadsheets), UTF-8
// with BOM, every field quoted, formula-looking cells defused (OWASP "CSV injection").

import type { TraceRecord } from '../store';

const HEADER = ['horodatage_utc', 'horodatage_poste', 'auteur', 'bal', 'action', 'requete', 'code_reponse', 'reponse', 'message_id', 'resultat'];

function cell(v: string | number | undefined): string {
  let s = v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** The CSV text (header + one line per trace, oldest first). */
export function tracesToCsv(traces: readonly TraceRecord[]): string {
  const lines = [HEADER.join(';')];
  for (const t of [...traces].reverse()) {
    lines.push(
      [new Date(t.tsUtc).toISOString(), t.tsWorkstation, t.actor, t.mailbox, t.action, t.request, t.replyCode, t.replyText, t.messageId, t.outcome].map(cell).join(';'),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
