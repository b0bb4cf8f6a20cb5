// Runtime: browser (task pane) and node tests. The one-click fixes of the pane, each a few MailboxPort calls:
// replace a recipient (by the suggested or decoded MSSanté address), remove one, move the non-MSSanté recipients out
// of the message, add one from the directory. The verdict refreshes on Outlook's RecipientsChanged event (and the
// caller asks for a refresh too, for clients without the event).
import type { AddressKind, RecipientField } from '../../core';
import type { MailboxPort, RecipientInput } from '../office/mailbox-port';
import type { RecipientRow } from './check-message';

/** Kinds that may receive health data through MSSanté (a patient address also needs a qualified INS). */
export const SECURE_KINDS: readonly AddressKind[] = ['mssante', 'patient', 'apicrypt-bridge'];

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Replaces the first recipient of `field` whose address is `address`; keeps its place and the others. */
export async function replaceRecipient(port: MailboxPort, field: RecipientField, address: string, replacement: RecipientInput): Promise<void> {
  const current = (await port.getRecipients())[field];
  let done = false;
  const next = current.map((r) => {
    if (done || !same(r.emailAddress, address)) return { emailAddress: r.emailAddress, displayName: r.displayName };
    done = true;
    return { emailAddress: replacement.emailAddress, displayName: replacement.displayName ?? replacement.emailAddress };
  });
  if (!done) return; // already changed meanwhile (the user edited the message): nothing to do
  await port.setRecipients(field, next);
}

/** Removes every recipient of `field` whose address is `address`. */
export async function removeRecipient(port: MailboxPort, field: RecipientField, address: string): Promise<void> {
  const current = (await port.getRecipients())[field];
  const next = current.filter((r) => !same(r.emailAddress, address));
  if (next.length !== current.length) await port.setRecipients(field, next);
}

/** Adds a recipient (from the directory) unless it is already in the field. */
export async function addRecipient(port: MailboxPort, field: RecipientField, recipient: RecipientInput): Promise<boolean> {
  const current = (await port.getRecipients())[field];
  if (current.some((r) => same(r.emailAddress, recipient.emailAddress))) return false;
  await port.addRecipients(field, [recipient]);
  return true;
}

/** Recipients to move out: not MSSanté, and not a gateway address that can be replaced by its decoded address. */
export function recipientsToMove(rows: readonly RecipientRow[]): RecipientRow[] {
  return rows.filter((r) => {
    const c = r.classification;
    if (!c) return false;
    if (SECURE_KINDS.includes(c.kind)) return false;
    if (c.kind === 'gateway' && c.decodedAddress) return false;
    return true;
  });
}

/** What "move to a new message" did. */
export interface MoveOutcome {
  /** The recipients taken out of this message. */
  readonly moved: readonly RecipientInput[];
  /** True when Outlook opened a new message with them (read mode only); false: the caller copies them. */
  readonly openedNewMessage: boolean;
}

/**
 * Moves the non-MSSanté recipients into a separate new message.
 *
 * Outlook only opens a new compose form from an add-in in READ mode (Mailbox.displayNewMessageFormAsync, Mailbox 1.9,
 * "Applicable Outlook mode: Read"); in compose there is no API for it, and a read-mode pane cannot change recipients.
 * So: in compose, the recipients are removed from this message and handed back (openedNewMessage false) for the pane
 * to copy to the clipboard and explain; in read mode, a new message is opened with them.
 */
export async function moveNonMssante(port: MailboxPort, rows: readonly RecipientRow[], subject?: string): Promise<MoveOutcome> {
  const moving = recipientsToMove(rows);
  const moved = moving.map((r) => ({ emailAddress: r.info.emailAddress, displayName: r.info.displayName }));
  if (moved.length === 0) return { moved, openedNewMessage: false };
  if (port.mode === 'read') {
    await port.displayNewMessage({ toRecipients: moved, ...(subject !== undefined ? { subject } : {}) });
    return { moved, openedNewMessage: true };
  }
  const current = await port.getRecipients();
  const fields: RecipientField[] = ['to', 'cc', 'bcc'];
  for (const field of fields) {
    const out = new Set(moving.filter((r) => r.field === field).map((r) => r.info.emailAddress.toLowerCase()));
    if (out.size === 0) continue;
    await port.setRecipients(
      field,
      current[field].filter((r) => !out.has(r.emailAddress.toLowerCase())).map((r) => ({ emailAddress: r.emailAddress, displayName: r.displayName })),
    );
  }
  return { moved, openedNewMessage: false };
}

/** The moved recipients as one line to paste into Outlook's To field (`Nom <adresse>; ...`). */
export function recipientsLine(list: readonly RecipientInput[]): string {
  return list
    .map((r) => (r.displayName && r.displayName !== r.emailAddress ? `${r.displayName.replace(/[<>";]/g, '')} <${r.emailAddress}>` : r.emailAddress))
    .join('; ');
}
