// Runtime: Node (jest). The outbound worker's reconciliation of an interrupted sending (outbound/worker.ts, option
// `reconcile`), on both stores: a message whose lease ran out mid-send (its worker died) is NOT sent again while the
// operator's delivery report may still come. A stored DSN about it settles it as accepted without any new submission
// (its states rolled up); without a report it waits ("en attente", RECONCILING, in French, attempts not spent) until
// the receipts poller has read the mailbox through `graceMs` after the interruption, then it is sent again, once.
// Real SQLite file and the machine's PostgreSQL; the relay is an in-memory operator that counts submissions.
import { randomUUID } from 'node:crypto';
import { createOutboundWorker, encodePayload, RECONCILING, type OutboundRelay, type ReconcileOptions } from '../../src/connector/outbound';
import type { Store } from '../../src/connector/store';
import { removeTempDirs } from '../helpers/tmp';
import { postgresFactory, sqliteFactory, type StoreFactory } from './store-factories';

const MAILBOX = 'dr.martin@hopital.mssante.fr';
const RECIPIENT = 'dr.durand@chu-exemple.mssante.fr';
const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const LEASE = 60_000;
const GRACE = 120_000;

afterAll(() => removeTempDirs());

/** An operator in memory: every submission counted by Message-ID. */
function countingRelay(): OutboundRelay & { readonly sent: Map<string, number> } {
  const sent = new Map<string, number>();
  const accept = async (messageId: string) => {
    sent.set(messageId, (sent.get(messageId) ?? 0) + 1);
    return { messageId, accepted: [RECIPIENT], rejected: [], response: '250 2.0.0 Ok: queued as 4XyZ' };
  };
  return {
    sent,
    submit: (r) => accept(r.message.messageId ?? ''),
    submitRaw: (r) => accept(r.message.messageId),
    describe: () => 'SMTP submission',
  };
}

describe.each([['sqlite', sqliteFactory], ['postgres', postgresFactory]] as const)('%s store', (_name, make) => {
  let factory: StoreFactory;
  let store: Store;
  let clock: number;
  const now = () => clock;

  beforeEach(async () => {
    factory = make();
    store = await factory.open();
    clock = T0;
  });
  afterEach(async () => {
    await factory.dispose();
  });

  /** Queues one message and lets a worker that then "dies" claim it: its lease runs out at T0 + LEASE. */
  async function interrupted(): Promise<{ id: string; messageId: string }> {
    const id = randomUUID();
    const messageId = `<${id}@hopital.mssante.fr>`;
    await store.enqueueOutbound({
      id,
      mailbox: MAILBOX,
      authorId: 'oid-1',
      idempotencyKey: `k-${id}`,
      requestHash: 'h',
      messageId,
      payload: encodePayload({
        v: 2,
        kind: 'mss',
        date: new Date(T0).toISOString(),
        build: { from: { address: MAILBOX }, to: [{ address: RECIPIENT }], subject: 'Compte rendu', text: 'Corps', productReference: 'DEV000000', readReceipt: true },
      }),
      recipientsCount: 1,
      now: T0,
    });
    const [job] = await store.claimOutbound({ workerId: 'dead', now: T0, leaseMs: LEASE, limit: 1 });
    expect(job.id).toBe(id);
    clock = T0 + LEASE + 1; // the dead worker's lease has run out
    return { id, messageId };
  }

  function worker(relay: OutboundRelay, reconcile?: Partial<ReconcileOptions>, pending?: string[]) {
    return createOutboundWorker({
      store,
      relay,
      workerId: 'live',
      now,
      leaseMs: LEASE,
      ...(reconcile === undefined
        ? {}
        : { reconcile: { graceMs: GRACE, onPending: (m) => pending?.push(m), ...reconcile } }),
    });
  }

  test('a DSN already stored proves the operator has it: accepted without a new submission, its state rolled up', async () => {
    const { id } = await interrupted();
    // the poller read Postfix's success DSN while the row was still "sending" (the 250 was lost with the process)
    await store.recordReceipts(
      id,
      [{ recipient: RECIPIENT, type: 'dsn', action: 'delivered', status: '2.0.0', state: 'delivered', explanation: 'Remis.', receiptKey: '<dsn-1@op>', receivedAt: clock }],
      clock,
    );
    const relay = countingRelay();
    expect(await worker(relay, {}).drain()).toBe(1);
    expect(relay.sent.size).toBe(0);
    const row = await store.getOutbound(id);
    expect(row?.status).toBe('delivered');
    const traces = await store.listTraces({ mailbox: MAILBOX, action: 'envoi', limit: 10 });
    expect(traces).toHaveLength(1);
    expect(traces[0].outcome).toBe('ok');
    expect(traces[0].replyText).toMatch(/^Déjà remis à l'opérateur avant l'interruption/);
  });

  test('no report yet: it waits (RECONCILING, French, no attempt spent, the poller asked), then is sent ONCE after the mailbox is read through', async () => {
    const { id, messageId } = await interrupted();
    const relay = countingRelay();
    const pending: string[] = [];
    const w = worker(relay, {}, pending);
    await w.drain();
    expect(relay.sent.size).toBe(0);
    let row = await store.getOutbound(id);
    expect(row?.status).toBe('queued');
    expect(row?.lastError?.code).toBe(RECONCILING);
    expect(row?.lastError?.message).toMatch(/^Envoi interrompu .*accusé de remise.*deux fois/);
    expect(pending).toEqual([MAILBOX]);
    const attemptsWhileWaiting = row?.attempts ?? 0;

    // the poller has read the mailbox, but not long enough after the interruption: still waiting
    await store.setImapPosition(MAILBOX, { uidValidity: 1, lastUid: 10, readThroughAt: T0 + LEASE + GRACE / 2 }, clock);
    clock += 60_000;
    await w.drain();
    expect(relay.sent.size).toBe(0);
    row = await store.getOutbound(id);
    expect(row?.lastError?.code).toBe(RECONCILING);
    expect(pending).toHaveLength(2);

    // read through GRACE after the interruption, still no report: the operator never took it; sent again, once
    await store.setImapPosition(MAILBOX, { uidValidity: 1, lastUid: 11, readThroughAt: T0 + LEASE + 1 + GRACE }, clock);
    clock += 60_000;
    await w.drain();
    expect(relay.sent.get(messageId)).toBe(1);
    row = await store.getOutbound(id);
    expect(row?.status).toBe('accepted');
    expect(row?.attempts).toBe(attemptsWhileWaiting + 2); // the claims happened; waitedClaims keeps them off the budget
    await w.drain();
    expect(relay.sent.get(messageId)).toBe(1);
  });

  test('a report that arrives while it waits settles it: never sent', async () => {
    const { id } = await interrupted();
    const relay = countingRelay();
    const w = worker(relay, {});
    await w.drain();
    await store.recordReceipts(
      id,
      [{ recipient: RECIPIENT, type: 'dsn', action: 'failed', status: '5.1.1', state: 'failed', explanation: 'Adresse inconnue.', receiptKey: '<dsn-2@op>', receivedAt: clock }],
      clock,
    );
    clock += 60_000;
    await w.drain();
    expect(relay.sent.size).toBe(0);
    const row = await store.getOutbound(id);
    expect(row?.status).toBe('failed'); // the operator took it, then bounced it: the bounce is what the user sees
    expect(row?.lastError?.code).toBe('DSN_FAILED');
  });

  test('the mailbox cannot be read for too long (maxWaitMs): sent again anyway', async () => {
    const { messageId } = await interrupted();
    const relay = countingRelay();
    const w = worker(relay, { maxWaitMs: 10 * 60_000 });
    await w.drain();
    expect(relay.sent.size).toBe(0);
    clock += 10 * 60_000;
    await w.drain();
    expect(relay.sent.get(messageId)).toBe(1);
  });

  test('while the mailbox cannot be opened (the author has no PSC session), maxWaitMs does not run: the report is read first when the author is back', async () => {
    const { id, messageId } = await interrupted();
    const relay = countingRelay();
    let session = false;
    const w = worker(relay, { maxWaitMs: 10 * 60_000, canReadNow: () => session });
    await w.drain();
    clock += 3 * 3_600_000; // three hours signed out: nothing could be read, nothing is sent
    await w.drain();
    expect(relay.sent.size).toBe(0);
    expect((await store.getOutbound(id))?.lastError?.code).toBe(RECONCILING);
    session = true; // back: the wait for a report starts at the next look, not three hours ago
    clock += 60_000;
    await w.drain();
    expect(relay.sent.size).toBe(0);
    expect((await store.getOutbound(id))?.lastError?.code).toBe(RECONCILING);
    clock += 10 * 60_000;
    await w.drain();
    expect(relay.sent.get(messageId)).toBe(1);
  });

  test('a worker without reconciliation (applicative mailboxes: receipts not read) sends an interrupted message again at once', async () => {
    const { messageId } = await interrupted();
    const relay = countingRelay();
    await worker(relay).drain();
    expect(relay.sent.get(messageId)).toBe(1);
  });
});
