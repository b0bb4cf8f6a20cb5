// Runtime: Node (jest). The one-time sign-in tickets of POST /api/psc/session (psc/session-tickets.ts) with an injected
// clock: random, single use, bound to the user they were issued to, valid ttlMs, remembered one more TTL (so a late
// click reads "expiré" or "déjà utilisé", not "inconnu"), bounded in memory, never kept in clear.
import { PscTickets } from '../../src/connector/psc/session-tickets';

let t = 1_800_000_000_000;
const now = () => t;

test('a ticket works once, for the user it was issued to', () => {
  const tickets = new PscTickets({ now });
  const a = tickets.issue('oid-alice');
  const b = tickets.issue('oid-bob');
  expect(a.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
  expect(a.ticket).not.toBe(b.ticket);
  expect(a.expiresAt).toBe(t + 120_000);
  expect(tickets.consume(b.ticket)).toEqual({ ok: true, userId: 'oid-bob' });
  expect(tickets.consume(a.ticket)).toEqual({ ok: true, userId: 'oid-alice' });
  expect(tickets.consume(a.ticket)).toEqual({ ok: false, reason: 'used' });
});

test('expired after ttlMs; forgotten one TTL later; malformed or unknown tickets are "unknown"', () => {
  const tickets = new PscTickets({ now, ttlMs: 30_000 });
  const a = tickets.issue('oid-alice');
  t += 30_000;
  expect(tickets.consume(a.ticket)).toEqual({ ok: false, reason: 'expired' });
  t += 30_000;
  expect(tickets.consume(a.ticket)).toEqual({ ok: false, reason: 'unknown' });
  expect(tickets.size).toBe(0);
  expect(tickets.consume('')).toEqual({ ok: false, reason: 'unknown' });
  expect(tickets.consume('<script>')).toEqual({ ok: false, reason: 'unknown' });
});

test('bounded: beyond maxEntries the oldest tickets are forgotten', () => {
  const tickets = new PscTickets({ now, maxEntries: 3 });
  const issued = ['u1', 'u2', 'u3', 'u4'].map((u) => tickets.issue(u));
  expect(tickets.size).toBe(3);
  expect(tickets.consume(issued[0].ticket)).toEqual({ ok: false, reason: 'unknown' });
  expect(tickets.consume(issued[3].ticket)).toEqual({ ok: true, userId: 'u4' });
});

test('the ticket itself is not kept in memory, only its SHA-256', () => {
  const tickets = new PscTickets({ now });
  const { ticket } = tickets.issue('oid-alice');
  const held = JSON.stringify([...(tickets as unknown as { entries: Map<string, unknown> }).entries.keys()]);
  expect(held).not.toContain(ticket);
  expect(held).toMatch(/[0-9a-f]{64}/);
});

test('a non-positive validity is a programming error', () => {
  expect(() => new PscTickets({ ttlMs: 0 })).toThrow(/ttlMs/);
});
