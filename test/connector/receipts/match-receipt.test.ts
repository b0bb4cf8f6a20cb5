// Runtime: Node (jest). Matching and status roll-up of real DSN / MDN e-mails (test/fixtures/eml, copied from
// ../shared/data/eml, provenance in test/fixtures/SOURCES.md), on SQLite and on the machine's PostgreSQL. The fixtures
// are read as they are; where a test needs one to refer to a queued row, its Message-ID (or action) is rewritten in
// memory here, and each rewrite is named next to it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NewOutbound, Store } from '../../../src/connector/store';
import { applyReceipt, recipientState, toReceiptInputs } from '../../../src/connector/receipts/match-receipt';
import { parseReceipt, type Receipt } from '../../../src/connector/receipts/parse-receipt';
import { removeTempDirs } from '../../helpers/tmp';
import { postgresFactory, sqliteFactory, type StoreFactory } from '../store-factories';

afterAll(removeTempDirs);

const EML = join(__dirname, '..', '..', 'fixtures', 'eml');
const fixture = (name: string): string => readFileSync(join(EML, name), 'latin1');
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const MAILBOX = 'secretariat.cardio@hopital.mssante.fr';

/** Exim DSN (failed, 5.0.0), real. Rewrite: a Message-ID line added to its returned message's headers. */
function eximDsn(messageId?: string, edit: (t: string) => string = (t) => t): Buffer {
  let t = fixture('mimekit_delivery-status2.eml');
  if (messageId) t = t.replace('Return-path: <delivery@domain.fr>\n', `Return-path: <delivery@domain.fr>\nMessage-ID: ${messageId}\n`);
  return bytes(edit(t));
}
/** Direct MDN "processed", real. Rewrite: its Original-Message-ID. */
function directMdn(messageId: string, edit: (t: string) => string = (t) => t): Buffer {
  const t = fixture('nhind_MDNMessage_processed.eml').replace('<9501051053.aa04167@IETF.CNR I.Reston.VA.US>', messageId);
  return bytes(edit(t));
}
/** ANS MDN "KO intégration" (error 902), real and malformed as published. Rewrite: its Original-Message-ID. */
function ansMdnKo(messageId: string): Buffer {
  return Buffer.from(readFileSync(join(EML, 'ans_ig_spec_example_MDN_KO_integration.eml.txt'), 'utf8').replace('<199509192301.23456 >', messageId), 'utf8');
}

describe('recipientState', () => {
  const r = (action: string, status: string, statusClass: 'success' | 'temporary' | 'permanent' | 'unknown') => ({ address: 'a@b.fr', action, status, statusClass, explanation: '' });
  it.each([
    ['dsn', r('delivered', '2.0.0', 'success'), 'delivered'],
    ['dsn', r('relayed', '2.0.0', 'success'), 'delivered'],
    ['dsn', r('expanded', '2.0.0', 'success'), 'delivered'],
    ['dsn', r('delayed', '4.4.7', 'temporary'), 'delayed'],
    ['dsn', r('failed', '5.1.1', 'permanent'), 'failed'],
    ['dsn', r('failed', '', 'unknown'), 'failed'],
    ['dsn', r('', '5.7.1', 'permanent'), 'failed'],
    ['dsn', r('', '', 'unknown'), undefined],
    ['mdn', r('displayed', '2.0.0', 'success'), 'read'],
    ['mdn', r('processed', '2.0.0', 'success'), 'delivered'],
    ['mdn', r('dispatched', '2.0.0', 'success'), 'delivered'],
    ['mdn', r('processed', '5.0.0', 'permanent'), 'failed'],
  ] as const)('%s %o → %s', (type, line, expected) => {
    expect(recipientState(type, line)).toBe(expected);
  });
});

describe('toReceiptInputs on the real e-mails', () => {
  it('the Exim DSN: one failed line, lower-case address, keyed by the digest of the bytes (it has no Message-ID)', async () => {
    const raw = eximDsn();
    const p = (await parseReceipt(raw)) as Receipt;
    const [row] = toReceiptInputs(p, 'k', T0);
    expect(row).toEqual({ recipient: 'source@domain.com', type: 'dsn', action: 'failed', status: '5.0.0', state: 'failed', explanation: expect.stringMatching(/^Message non remis \(erreur définitive/), receiptKey: 'k', receivedAt: T0 });
  });
  it('the ANS KO MDN: failed, the integration error kept as diagnostic', async () => {
    const p = (await parseReceipt(ansMdnKo('<x@y.fr>'))) as Receipt;
    expect(toReceiptInputs(p, 'k', T0)).toEqual([
      expect.objectContaining({ recipient: 'servicey_auto@chb.mssante.fr', type: 'mdn', action: 'processed', status: '5.0.0', state: 'failed', diagnostic: 'Error: 902^Identifiant de patient inconnu', explanation: expect.stringContaining('erreur 902') }),
    ]);
  });
  it('a diagnostic that echoes an address is masked (maskReply)', async () => {
    const raw = eximDsn(undefined, (t) => t.replace('Status: 5.0.0\n', 'Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <dr.x@medecin.mssante.fr>: Recipient address rejected\n'));
    const p = (await parseReceipt(raw)) as Receipt;
    expect(toReceiptInputs(p, 'k', T0)[0].diagnostic).toBe('smtp; 550 5.1.1 <*@medecin.mssante.fr>: Recipient address rejected');
  });
});

describe.each([['sqlite', sqliteFactory], ['postgres', postgresFactory]] as const)('applyReceipt on the %s store', (_name, make) => {
  let factory: StoreFactory;
  let store: Store;
  beforeEach(async () => {
    factory = make();
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose();
  });

  async function accepted(over: Partial<NewOutbound> = {}): Promise<NewOutbound> {
    const id = randomUUID();
    const m: NewOutbound = { id, mailbox: MAILBOX, authorId: 'oid-1', idempotencyKey: randomUUID(), requestHash: 'h', messageId: `<${id}@hopital.mssante.fr>`, payload: '{}', recipientsCount: 1, now: T0, ...over };
    await store.enqueueOutbound(m);
    const jobs = await store.claimOutbound({ workerId: 'w', now: T0, leaseMs: 60_000, limit: 100 });
    for (const j of jobs) await store.completeOutbound(j.id, 'w', { status: 'accepted', response: '250 2.0.0 Ok', now: T0 + 1 });
    return m;
  }

  it('the real Exim DSN (failed) fails our message with the French explanation', async () => {
    const m = await accepted();
    expect(await applyReceipt(store, MAILBOX, eximDsn(m.messageId), T0 + 10)).toEqual({ kind: 'matched', outboundId: m.id, type: 'dsn', inserted: 1, status: 'failed', changed: true });
    const rec = await store.getOutbound(m.id);
    expect(rec?.status).toBe('failed');
    expect(rec?.lastError).toEqual({ code: 'DSN_FAILED', message: expect.stringMatching(/^Message non remis \(erreur définitive\)\. Vérifiez l'adresse du destinataire/) });
    expect(await store.listReceipts(m.id)).toEqual([expect.objectContaining({ recipient: 'source@domain.com', state: 'failed', receiptKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) })]);
    // read again (a restart before the move): nothing added
    expect(await applyReceipt(store, MAILBOX, eximDsn(m.messageId), T0 + 20)).toMatchObject({ kind: 'matched', inserted: 0, changed: false });
  });

  it('the same DSN matched by its ENVID when the returned headers carry no Message-ID (rewrite: Original-Envelope-Id added)', async () => {
    const m = await accepted();
    const raw = eximDsn(undefined, (t) => t.replace('Reporting-MTA: dns; smtp-out.dis-hosting.net\n', `Reporting-MTA: dns; smtp-out.dis-hosting.net\nOriginal-Envelope-Id: ${m.id}\n`));
    expect(await applyReceipt(store, MAILBOX, raw, T0 + 10)).toMatchObject({ kind: 'matched', outboundId: m.id, status: 'failed' });
  });

  it('a report about no message of ours, or about a message of another mailbox, is unmatched and changes nothing', async () => {
    const m = await accepted();
    const other = await accepted({ mailbox: 'autre@hopital.mssante.fr' });
    expect(await applyReceipt(store, MAILBOX, eximDsn(), T0 + 10)).toEqual({ kind: 'unmatched', type: 'dsn' });
    expect(await applyReceipt(store, MAILBOX, directMdn('<9501051053.aa04167@IETF.CNR I.Reston.VA.US>'), T0 + 10)).toEqual({ kind: 'unmatched', type: 'mdn' });
    expect(await applyReceipt(store, MAILBOX, eximDsn(other.messageId), T0 + 10)).toEqual({ kind: 'unmatched', type: 'dsn' });
    expect(await store.getOutbound(m.id)).toMatchObject({ status: 'accepted' });
    expect(await store.getOutbound(other.id)).toMatchObject({ status: 'accepted' });
    expect(await store.listRecentReceipts(10)).toEqual([]);
  });

  it('a plain e-mail is not a receipt', async () => {
    expect(await applyReceipt(store, MAILBOX, readFileSync(join(EML, 'nhind_MessageWithAttachment.eml')), T0)).toEqual({ kind: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT' });
  });

  it('the real Direct MDN "processed" → delivered; the same MDN "displayed" → read (rewrite: the disposition type)', async () => {
    const m = await accepted();
    expect(await applyReceipt(store, MAILBOX, directMdn(m.messageId), T0 + 10)).toMatchObject({ kind: 'matched', type: 'mdn', status: 'delivered', changed: true });
    const displayed = directMdn(m.messageId, (t) => t.replace('automatic-action/MDN-sent-automatically;processed', 'manual-action/MDN-sent-manually;displayed').replace('message-id: 0c796d0e', 'message-id: 1c796d0e'));
    expect(await applyReceipt(store, MAILBOX, displayed, T0 + 20)).toMatchObject({ kind: 'matched', type: 'mdn', status: 'read', changed: true });
    expect((await store.listReceipts(m.id)).map((r) => [r.action, r.state])).toEqual([
      ['processed', 'delivered'],
      ['displayed', 'read'],
    ]);
  });

  it('a DSN "delivered" for each of two recipients (rewrite: action and status of the Exim DSN) → delivered after the second', async () => {
    const m = await accepted({ recipientsCount: 2 });
    const delivered = (to: string) => eximDsn(m.messageId, (t) => t.replace('Action: failed', 'Action: delivered').replace('Status: 5.0.0', 'Status: 2.0.0').replace('rfc822;source@domain.com', `rfc822;${to}`));
    expect(await applyReceipt(store, MAILBOX, delivered('dr.a@medecin.mssante.fr'), T0 + 10)).toMatchObject({ status: 'accepted', changed: false });
    expect(await applyReceipt(store, MAILBOX, delivered('dr.b@medecin.mssante.fr'), T0 + 20)).toMatchObject({ status: 'delivered', changed: true });
  });

  it('the real ANS MDN "KO intégration" fails the message with the integration error in French', async () => {
    const m = await accepted();
    expect(await applyReceipt(store, MAILBOX, ansMdnKo(m.messageId), T0 + 20)).toMatchObject({ kind: 'matched', status: 'failed', changed: true });
    expect((await store.getOutbound(m.id))?.lastError).toEqual({
      code: 'MDN_ERROR',
      message: expect.stringMatching(/^Le destinataire a reçu le message mais n'a pas pu l'intégrer \(erreur 902 : Identifiant de patient inconnu\)/),
      response: 'Error: 902^Identifiant de patient inconnu',
    });
  });
});
