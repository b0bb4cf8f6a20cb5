// Runtime: browser (task pane) and node tests. Rewrites a reply to a message received through a configured gateway
// so that it goes to the correspondent's real MSSanté address and carries no gateway address at all:
//  - recipients: each gateway address is replaced by the correspondent's MSSanté address (display name kept);
//  - body and signature (Outlook puts the signature inside the body): every gateway address is replaced by the
//    correspondent's MSSanté address when it is one of this message's correspondents, and REMOVED otherwise. The
//    user's own gateway address is among the "otherwise": the pane cannot always know the user's MSSanté mailboxes,
//    and never leaking it wins over keeping a third party's address in a quoted header.
// Threading: In-Reply-To and References are NOT touched. Outlook keeps them when recipients or body change (they are
// set on the reply item by Outlook; item.internetHeaders only reaches headers the add-in set itself, Mailbox 1.8),
// so the reply stays in the correspondent's thread.
import type { Classification, GatewayPattern, RecipientField } from '../../core';
import type { BodyFormat, MailboxPort, RecipientInput } from '../office/mailbox-port';
import type { RecipientRow } from './check-message';

/**
 * Where the correspondent's MSSanté address comes from. The default, tested path decodes it from the gateway address
 * (connector classification, pattern `{local}={domain}`). A Graph implementation could read the original message's
 * headers instead (GET /me/messages/{id}?$select=internetMessageHeaders, Mail.Read): plug it in here.
 */
export interface CorrespondentSource {
  correspondentFor(gatewayAddress: string, classification: Classification): Promise<string | undefined>;
}

/** The decoded path: the connector already decoded the gateway address. */
export const decodedCorrespondentSource: CorrespondentSource = {
  correspondentFor: (_address, c) => Promise.resolve(c.kind === 'gateway' ? c.decodedAddress : undefined),
};

/** One change made, for the MessageBar. Never carries the user's own gateway address. */
export type RewriteChange =
  | { readonly kind: 'recipient-replaced'; readonly field: RecipientField; readonly from: string; readonly to: string }
  | { readonly kind: 'recipient-undecoded'; readonly field: RecipientField; readonly address: string }
  | { readonly kind: 'body-replaced'; readonly to: string; readonly count: number }
  | { readonly kind: 'body-removed'; readonly count: number }
  /** A "MSSanté :" label left empty by a removal: now followed by the sending mailbox, or its line removed. */
  | { readonly kind: 'signature-label'; readonly mailbox?: string };

/** True when `domain` is the gateway domain or, for `*.x`, one of its sub-domains. */
export function isGatewayDomain(domain: string, gateways: readonly GatewayPattern[]): boolean {
  const d = domain.toLowerCase();
  return gateways.some((g) => {
    const gd = g.domain.toLowerCase();
    if (gd.startsWith('*.')) {
      const base = gd.slice(2);
      return d === base || d.endsWith(`.${base}`);
    }
    return d === gd;
  });
}

// Local parts of gateway addresses carry `=` (and `+`, `%`...): wide enough, anchored on the domain.
const ADDRESS = /[A-Za-z0-9._%+=!#$&'*/?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;

/** Gateway addresses found in a text (lower-cased, distinct). */
export function findGatewayAddresses(text: string, gateways: readonly GatewayPattern[]): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(ADDRESS)) {
    const a = m[0].replace(/[.]+$/, '');
    const domain = a.slice(a.lastIndexOf('@') + 1);
    if (isGatewayDomain(domain, gateways)) out.add(a.toLowerCase());
  }
  return Array.from(out);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rewrites one body. `replacements` maps a lower-case gateway address to its MSSanté address, or to `undefined` to
 * remove it. HTML: mailto links, `&lt;address&gt;` and bare occurrences; text: `<address>` and bare occurrences.
 * Returns the new body and, per address, how many occurrences changed.
 */
export function rewriteBody(body: string, format: BodyFormat, replacements: ReadonlyMap<string, string | undefined>): { body: string; counts: Map<string, number> } {
  let out = body;
  const counts = new Map<string, number>();
  for (const [address, target] of replacements) {
    const a = escapeRegExp(address);
    let n = 0;
    const count = (s: string) => {
      n++;
      return s;
    };
    if (format === 'html') {
      const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      // <a href="mailto:address">…</a>: the whole link goes, or points to the MSSanté address
      out = out.replace(new RegExp(`<a\\b[^>]*href=["']mailto:${a}["'][^>]*>[\\s\\S]*?</a>`, 'gi'), () =>
        count(target ? `<a href="mailto:${esc(target)}">${esc(target)}</a>` : ''),
      );
      out = out.replace(new RegExp(`\\s?&lt;${a}&gt;`, 'gi'), () => count(target ? ` &lt;${esc(target)}&gt;` : ''));
      out = out.replace(new RegExp(`mailto:${a}`, 'gi'), () => count(target ? `mailto:${esc(target)}` : ''));
      out = out.replace(new RegExp(`(?<![A-Za-z0-9._%+=-])${a}`, 'gi'), () => count(target ? esc(target) : ''));
    } else {
      out = out.replace(new RegExp(`\\s?<${a}>`, 'gi'), () => count(target ? ` <${target}>` : ''));
      out = out.replace(new RegExp(`(?<![A-Za-z0-9._%+=-])${a}`, 'gi'), () => count(target ?? ''));
    }
    if (n > 0) counts.set(address, n);
  }
  return { body: out, counts };
}

// "MSSanté :" (or "MSSante:", "Adresse MSSanté :") followed by nothing up to the end of its line or block.
const ORPHAN_HTML = /(<(div|p|span|td)\b[^>]*>)((?:\s|&nbsp;)*(?:Adresse\s+)?MSSant[ée](?:\s|&nbsp;)*:)(?:\s|&nbsp;|<a\b[^>]*>\s*<\/a>)*(<\/\2>)/gi;
const ORPHAN_HTML_BR = /(^|<br\s*\/?>)((?:\s|&nbsp;)*(?:Adresse\s+)?MSSant[ée](?:\s|&nbsp;)*:)(?:\s|&nbsp;)*(?=<br\s*\/?>|<\/(?:div|p|td)>)/gi;
const ORPHAN_TEXT = /^([ \t]*(?:Adresse[ \t]+)?MSSant[ée][ \t]*:)[ \t]*$\n?/gim;

/**
 * After a removal, a signature line such as "MSSanté : <address>" is left as "MSSanté :" followed by nothing. With
 * `mailbox` (the sending MSSanté mailbox, when the pane knows it) the label gets it; without, the orphan line goes.
 */
export function fixOrphanMssanteLabel(body: string, format: BodyFormat, mailbox?: string): { body: string; fixed: number } {
  let fixed = 0;
  let out = body;
  if (format === 'html') {
    const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const link = mailbox ? ` <a href="mailto:${esc(mailbox)}">${esc(mailbox)}</a>` : '';
    out = out.replace(ORPHAN_HTML, (_m, open: string, _tag: string, label: string, close: string) => {
      fixed++;
      return mailbox ? `${open}${label.trimEnd()}${link}${close}` : '';
    });
    out = out.replace(ORPHAN_HTML_BR, (_m, before: string, label: string) => {
      fixed++;
      return mailbox ? `${before}${label.trimEnd()}${link}` : before;
    });
  } else {
    out = out.replace(ORPHAN_TEXT, (m, label: string) => {
      fixed++;
      return mailbox ? `${label} ${mailbox}${m.endsWith('\n') ? '\n' : ''}` : '';
    });
  }
  return { body: out, fixed };
}

export interface ReplyRewriteDeps {
  readonly port: MailboxPort;
  /** Classified recipients of the reply (check-message rows). */
  readonly rows: readonly RecipientRow[];
  /** Configured gateways (GET /api/policy). */
  readonly gateways: readonly GatewayPattern[];
  readonly source?: CorrespondentSource;
  /** The sending MSSanté mailbox when known: it fills a "MSSanté :" label emptied by the removal of a gateway address. */
  readonly senderMailbox?: string;
}

/** What the rewrite did. `applied` false: not a reply through a gateway (nothing changed). */
export interface ReplyRewriteResult {
  readonly applied: boolean;
  readonly changes: readonly RewriteChange[];
}

/**
 * Rewrites the reply being composed. Call it only for a reply (getComposeType); it changes nothing when no recipient
 * and no body text is at a gateway domain.
 */
export async function rewriteGatewayReply({ port, rows, gateways, source = decodedCorrespondentSource, senderMailbox }: ReplyRewriteDeps): Promise<ReplyRewriteResult> {
  const changes: RewriteChange[] = [];
  if (gateways.length === 0) return { applied: false, changes };

  // 1. recipients
  const gatewayRows = rows.filter((r) => r.classification && isGatewayDomain(r.info.emailAddress.slice(r.info.emailAddress.lastIndexOf('@') + 1), gateways));
  const correspondents = new Map<string, string>(); // gateway address (lower) → MSSanté address
  const current = gatewayRows.length > 0 ? await port.getRecipients() : undefined;
  const byField = new Map<RecipientField, RecipientInput[]>();
  for (const r of gatewayRows) {
    const target = await source.correspondentFor(r.info.emailAddress, r.classification as Classification);
    if (!target) {
      changes.push({ kind: 'recipient-undecoded', field: r.field, address: r.info.emailAddress });
      continue;
    }
    correspondents.set(r.info.emailAddress.toLowerCase(), target);
    const list =
      byField.get(r.field) ??
      (current as NonNullable<typeof current>)[r.field].map((x) => ({ emailAddress: x.emailAddress, displayName: x.displayName }));
    const seen = new Set<string>();
    const next: RecipientInput[] = [];
    for (const x of list) {
      const replaced = x.emailAddress.toLowerCase() === r.info.emailAddress.toLowerCase()
        ? { emailAddress: target, displayName: x.displayName && x.displayName !== x.emailAddress ? x.displayName : target }
        : x;
      const key = replaced.emailAddress.toLowerCase();
      if (seen.has(key)) continue; // the MSSanté address was already there: no duplicate
      seen.add(key);
      next.push(replaced);
    }
    byField.set(r.field, next);
    changes.push({ kind: 'recipient-replaced', field: r.field, from: r.info.emailAddress, to: target });
  }
  for (const [field, list] of byField) await port.setRecipients(field, list);

  // 2. body and signature, in the body's own format (HTML stays HTML)
  const format = await port.getBodyType();
  const body = await port.getBody(format);
  const found = findGatewayAddresses(body, gateways);
  if (found.length > 0) {
    const replacements = new Map<string, string | undefined>(found.map((a) => [a, correspondents.get(a)]));
    const rewritten = rewriteBody(body, format, replacements);
    let removed = 0;
    for (const [a, n] of rewritten.counts) {
      const target = correspondents.get(a);
      if (target) changes.push({ kind: 'body-replaced', to: target, count: n });
      else removed += n;
    }
    // a removal may leave "MSSanté :" with nothing after it (the user's own address in the signature)
    const label = removed > 0 ? fixOrphanMssanteLabel(rewritten.body, format, senderMailbox) : { body: rewritten.body, fixed: 0 };
    await port.setBody(format, label.body);
    if (removed > 0) changes.push({ kind: 'body-removed', count: removed });
    if (label.fixed > 0) changes.push({ kind: 'signature-label', ...(senderMailbox ? { mailbox: senderMailbox } : {}) });
  }
  return { applied: changes.length > 0, changes };
}
