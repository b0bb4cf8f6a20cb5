// Runtime: Node (connector). One-time sign-in tickets that bind a Pro Santé Connect sign-in to the add-in's
// authenticated identity: POST /api/psc/session (Entra bearer) issues a ticket for the caller's `oid`; the Office
// dialog opens /psc/start?ticket=…, which consumes it. Random (32 bytes), single use, short-lived (2 min by default),
// kept in MEMORY only and stored by its SHA-256 (a used or expired ticket is remembered by hash, so the page can say
// "déjà utilisé" or "expiré" rather than "inconnu"). Several connector instances: see docs/transport.md ("Plusieurs
// instances"): the PKCE state and the PSC tokens are per-process anyway, so /api/psc/*, /psc/* need affinity.

import { createHash, randomBytes } from 'node:crypto';

/** Options of {@link PscTickets}. Defaults in brackets. */
export interface PscTicketsOptions {
  /** [120000] Validity of a ticket, ms. */
  readonly ttlMs?: number;
  /** [10000] Tickets remembered at most (issued, used or expired); the oldest are forgotten beyond. */
  readonly maxEntries?: number;
  /** [Date.now] Clock, ms. */
  readonly now?: () => number;
}

/** Why a ticket was refused. */
export type TicketRefusal = 'unknown' | 'used' | 'expired';

interface Entry {
  readonly userId: string;
  readonly expiresAt: number;
  used: boolean;
}

const hashOf = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');

/** The in-memory ticket book of one connector process. */
export class PscTickets {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(opts: PscTicketsOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 120_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
    if (!Number.isFinite(this.ttlMs) || this.ttlMs <= 0) throw new Error('PscTickets : ttlMs doit être un nombre de millisecondes positif.');
  }

  /** A new single-use ticket for `userId` (the Entra oid). The ticket itself is returned once and never kept. */
  issue(userId: string): { readonly ticket: string; readonly expiresAt: number } {
    this.purge();
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.entries.set(hashOf(ticket), { userId, expiresAt, used: false });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return { ticket, expiresAt };
  }

  /** Consumes a ticket: the user it was issued to, or why it is refused. A ticket works once. */
  consume(ticket: string): { readonly ok: true; readonly userId: string } | { readonly ok: false; readonly reason: TicketRefusal } {
    this.purge();
    const entry = /^[A-Za-z0-9_-]{20,200}$/.test(ticket) ? this.entries.get(hashOf(ticket)) : undefined;
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.used) return { ok: false, reason: 'used' };
    if (entry.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    entry.used = true;
    return { ok: true, userId: entry.userId };
  }

  /** Number of tickets remembered (tests, health). */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets tickets one TTL after their expiry (until then a late click still gets "expiré" / "déjà utilisé"). */
  private purge(): void {
    const limit = this.now() - this.ttlMs;
    for (const [hash, e] of this.entries) if (e.expiresAt <= limit) this.entries.delete(hash);
  }
}
