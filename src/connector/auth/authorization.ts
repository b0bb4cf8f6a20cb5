// Runtime: Node (connector). Who may send from which MSSanté mailbox, and who may read the traces: from the
// configuration (senders, admin.users), matched on the Entra `oid` or the `preferred_username` (case-insensitive).

import type { EntraIdentity } from './entra';

/** One rule of `senders`: a user and the mailboxes (personal, organisational) they may send from. */
export interface SenderRule {
  /** Entra `oid` or `preferred_username` (UPN). */
  readonly user: string;
  readonly mailboxes: readonly string[];
}

function matches(user: string, who: EntraIdentity): boolean {
  const u = user.toLowerCase();
  return u === who.oid.toLowerCase() || (who.username !== undefined && u === who.username);
}

/** The mailboxes this user may send from (lower-case), union of the rules that name them. */
export function mailboxesOf(rules: readonly SenderRule[], who: EntraIdentity): Set<string> {
  const out = new Set<string>();
  for (const r of rules) if (matches(r.user, who)) for (const m of r.mailboxes) out.add(m.toLowerCase());
  return out;
}

/** True when `who` is one of the configured administrators. */
export function isAdmin(admins: readonly string[], who: EntraIdentity): boolean {
  return admins.some((a) => matches(a, who));
}
