// Runtime: Node (jest). Two LIVE workers never send the same message, on SQLite and on PostgreSQL: leases are renewed
// while a message is in flight (store.renewOutboundLeases), so a slow operator (its 250 to DATA comes long after the
// lease would have run out) does not let the other worker take the message back and send it again. Real SMTP peer over
// STARTTLS (smtp-server, throw-away IGC-Santé-like PKI), real stores (SQLite file shared by two handles; PostgreSQL
// schema shared by two pools), the real worker and relay, in process.
import { randomUUID } from 'node:crypto';
import { createOutboundWorker, createSmtpRelay, encodePayload, type OutboundRelay } from '../../src/connector/outbound';
import type { Store } from '../../src/connector/store';
import { CrlStore, createTlsPolicy, type TlsPolicy } from '../../src/connector/transport';
import { postgresFactory, sqliteFactory, type StoreFactory } from '../connector/store-factories';
import { removeTempDirs } from '../helpers/tmp';
import { makePki, startPeer, type Peer } from './peer';

const MAILBOX = 'app.labo@labo-exemple.mssante.fr';
let pki: ReturnType<typeof makePki>;
let tlsPolicy: TlsPolicy;

beforeAll(async () => {
  pki = makePki();
  const crls = await CrlStore.create({ anchors: pki.anchors });
  await crls.add(pki.rootCrl);
  await crls.add(pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 86_400_000)));
  tlsPolicy = createTlsPolicy({ trustAnchors: pki.anchors, revocation: crls });
});
afterAll(() => removeTempDirs());

function relayTo(peer: Peer): OutboundRelay {
  return createSmtpRelay({
    host: '127.0.0.1',
    port: peer.port,
    servername: 'localhost',
    tlsPolicy,
    socketTimeoutMs: 10_000,
    credentialsFor: (mailbox) => ({ kind: 'certificate', mailbox, pfx: pki.clientP12, passphrase: pki.clientP12Pass }),
  });
}

async function enqueue(store: Store, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    ids.push(`<${id}@labo-exemple.mssante.fr>`);
    await store.enqueueOutbound({
      id,
      mailbox: MAILBOX,
      authorId: 'oid-app',
      idempotencyKey: `k-${i}`,
      requestHash: 'h',
      messageId: `<${id}@labo-exemple.mssante.fr>`,
      payload: encodePayload({ v: 2, kind: 'mss', date: new Date().toISOString(), build: { from: { address: MAILBOX }, to: [{ address: 'dr.durand@hopital-exemple.mssante.fr' }], subject: `Résultat ${i}`, text: 'Corps', productReference: 'DEV000000' } }),
      recipientsCount: 1,
      now: Date.now(),
    });
  }
  return ids;
}

describe.each([
  ['SQLite', sqliteFactory],
  ['PostgreSQL', postgresFactory],
] as [string, () => StoreFactory][])('%s', (_name, makeFactory) => {
  test('renewOutboundLeases: only the holder renews, only rows still sending; a renewed row cannot be claimed', async () => {
    const factory = makeFactory();
    try {
      const a = await factory.open();
      const b = await factory.open();
      await enqueue(a, 2);
      const t = Date.now();
      const [job] = await a.claimOutbound({ workerId: 'w1', now: t, leaseMs: 1000, limit: 1 });
      expect(await b.renewOutboundLeases([job.id], 'w2', t + 60_000)).toBe(0); // not the holder
      expect(await a.renewOutboundLeases([job.id, 'absent'], 'w1', t + 60_000)).toBe(1);
      // past the first lease: the other row is due, the renewed one is not
      const claimed = await b.claimOutbound({ workerId: 'w2', now: t + 2000, leaseMs: 1000, limit: 10 });
      expect(claimed.map((j) => j.id)).not.toContain(job.id);
      expect(claimed).toHaveLength(1);
      expect(await a.completeOutbound(job.id, 'w1', { status: 'accepted', response: '250 ok', now: t + 3000 }, { tsUtc: t + 3000, actor: 'oid-app', mailbox: MAILBOX, action: 'envoi', request: 'DATA', replyCode: 250, outcome: 'ok', messageId: job.messageId })).toBe(true);
      expect(await a.renewOutboundLeases([job.id], 'w1', t + 90_000)).toBe(0); // no longer sending
      expect((await a.listTraces({ mailbox: MAILBOX })).filter((x) => x.messageId === job.messageId)).toHaveLength(1);
    } finally {
      await factory.dispose();
    }
  });

  test('slow operator (250 after 3 leases), two live workers: every message sent once, none taken back', async () => {
    const factory = makeFactory();
    const peer = await startPeer(pki, 0, { delayMs: 900 });
    const relays: OutboundRelay[] = [];
    try {
      const a = await factory.open();
      const b = await factory.open();
      const ids = await enqueue(a, 6);
      const workers = [a, b].map((store, i) => {
        const relay = relayTo(peer);
        relays.push(relay);
        return createOutboundWorker({ store, relay, workerId: `w${i}`, concurrency: 2, leaseMs: 300, pollMs: 20 });
      });
      const attempts = await Promise.all(workers.map((w) => w.drain()));
      expect(attempts[0] + attempts[1]).toBe(6); // no message claimed twice
      expect(await a.outboundCounts()).toEqual({ accepted: 6 });
      for (const id of ids) expect(peer.received.get(id)).toBe(1);
    } finally {
      for (const r of relays) r.close?.();
      await peer.stop();
      await factory.dispose();
    }
  });
});
