// Runtime: Node (jest, e2e). The receipt poller against the real operator stand-in (Postfix + Dovecot + the PSC
// stand-in, .ci/operator-stand-in.sh): a message built by mime/build-message.ts is submitted to the real Postfix with
// a DSN request (RFC 3461: NOTIFY=SUCCESS,FAILURE,DELAY, RET=HDRS, ENVID) over STARTTLS + XOAUTH2; Postfix delivers it
// to Dovecot and writes the success DSN into the SENDER's Dovecot mailbox; the poller (XOAUTH2 with the author's PSC
// session, the IGC-Santé test policy) finds it, matches it, the outbound row becomes `delivered` and the report is
// moved into « Accusés MSSanté ». Then a real MDN (nhind_MDNMessage_processed.eml, adapted: Original-Message-ID,
// Final-Recipient, disposition "displayed") is put into the mailbox with IMAP APPEND: `read`. Mail that is not ours
// (a plain e-mail, the real Exim DSN of another message) stays in INBOX, unseen. A second poller on the same store
// (a restart) reads nothing again. No full address and no token in the poller's logs.
//
// The PSC sign-in drives PscClient itself (beginLogin, the stand-in's automatic wallet, completeLogin), which is what
// /psc/start and /psc/callback call.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildMessage } from '../../src/connector/mime/build-message';
import { PscClient } from '../../src/connector/psc/psc-client';
import { pscCredentialsFor } from '../../src/connector/receipts/connector-poller';
import { createReceiptPoller, DEFAULT_RECEIPTS_FOLDER, type ReceiptPoller } from '../../src/connector/receipts/poller';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { CrlStore } from '../../src/connector/transport/crl-store';
import { createTlsPolicy, type TlsPolicy } from '../../src/connector/transport/tls-policy';
import { capturingLogger, eventually, REDIRECT_URI, standIn, walletToCallback, type StandIn } from './helpers';

/** Signs `userId` in as `mailbox` at the PSC stand-in (its wallet logs the login_hint in at once). */
async function signIn(client: PscClient, userId: string, mailbox: string): Promise<void> {
  const url = await walletToCallback(client.beginLogin(userId, { loginHint: mailbox }).authorizationUrl);
  await client.completeLogin(Object.fromEntries(new URL(url).searchParams));
}

const EML = join(__dirname, '..', 'fixtures', 'eml');

let s: StandIn;
let policy: TlsPolicy;
let psc: PscClient;
let store: Store;
const logger = capturingLogger();
const seenTokens = new Set<string>();
const pollers: ReceiptPoller[] = [];

const MARTIN = () => `dr.martin@${s.domain}`;
const DURAND = () => `dr.durand@${s.domain}`;

/** An IMAP client of the test itself (to APPEND and to look), XOAUTH2 as `user`. */
async function imapAs(userId: string, mailbox: string): Promise<ImapFlow> {
  const token = await psc.getAccessToken(userId);
  seenTokens.add(token.value);
  const c = new ImapFlow({
    host: s.host,
    port: s.imapPort,
    secure: false,
    doSTARTTLS: true,
    servername: s.servername,
    tls: policy.connectionOptions({ servername: s.servername }),
    auth: { user: mailbox, accessToken: token.value },
    logger: false,
  });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** UIDs of INBOX (or `folder`) whose header `name` contains `value`, with their flags. */
async function find(c: ImapFlow, folder: string, name: string, value: string): Promise<{ uid: number; flags: Set<string>; source: string }[]> {
  const lock = await c.getMailboxLock(folder);
  try {
    const uids = (await c.search({ header: { [name]: value } }, { uid: true })) || [];
    const out: { uid: number; flags: Set<string>; source: string }[] = [];
    for (const uid of uids) {
      const m = await c.fetchOne(String(uid), { uid: true, flags: true, source: true }, { uid: true });
      if (m) out.push({ uid, flags: m.flags ?? new Set(), source: m.source?.toString('utf8') ?? '' });
    }
    return out;
  } finally {
    lock.release();
  }
}

function poller(): ReceiptPoller {
  const p = createReceiptPoller({
    store,
    imap: { host: s.host, port: s.imapPort, servername: s.servername, tlsPolicy: policy },
    credentialsFor: pscCredentialsFor(psc),
    intervalMs: 1_000,
    logger,
  });
  pollers.push(p);
  return p;
}

beforeAll(async () => {
  s = standIn();
  const data = mkdtempSync(join(tmpdir(), 'mss-receipts-e2e-'));
  const crls = await CrlStore.create({ anchors: s.anchors, dir: join(data, 'crl') });
  for (const crl of s.crls) expect((await crls.add(crl)).accepted).toBe(true);
  policy = createTlsPolicy({ trustAnchors: s.anchors, revocation: crls });
  psc = await PscClient.create({ issuer: s.pscIssuer, clientId: 'mss-connecteur', clientSecret: 'connecteur-secret-test', redirectUri: REDIRECT_URI, scope: 'openid', acrValues: '', logger: false });
  await signIn(psc, 'u-martin', MARTIN());
  await signIn(psc, 'u-durand', DURAND());
  store = openSqliteStore(join(data, 'mss-outlook.sqlite'));
});

afterAll(async () => {
  for (const p of pollers) await p.stop();
  await store?.close();
});

test('success DSN from the real Postfix → delivered and moved; an adapted real MDN appended → read; other mail untouched; a restart reads nothing again', async () => {
  const runId = randomUUID();
  // ---- mail that is not ours, already in the sender's INBOX: a plain e-mail and the real Exim DSN of another message
  const box = await imapAs('u-martin', MARTIN());
  try {
    const plain = readFileSync(join(EML, 'nhind_MessageWithAttachment.eml'), 'latin1');
    const exim = readFileSync(join(EML, 'mimekit_delivery-status2.eml'), 'latin1');
    // the only change: a test header to find them again
    const crlf = (t: string) => Buffer.from(t.replace(/\r?\n/g, '\r\n'), 'latin1');
    await box.append('INBOX', crlf(`X-E2E-Run: ${runId}-plain\n${plain}`));
    await box.append('INBOX', crlf(`X-E2E-Run: ${runId}-exim\n${exim}`));
  } finally {
    await box.logout();
  }

  // ---- one message through the queue, submitted to the real Postfix with a DSN request
  const id = randomUUID();
  const messageId = `<${id}@${s.domain}>`;
  await store.enqueueOutbound({ id, mailbox: MARTIN(), authorId: 'u-martin', idempotencyKey: runId, requestHash: 'h', messageId, payload: '{}', recipientsCount: 1, now: Date.now() });
  const [job] = await store.claimOutbound({ workerId: 'e2e', now: Date.now(), leaseMs: 60_000, limit: 1 });
  expect(job.id).toBe(id);
  const built = await buildMessage(
    { from: { address: MARTIN() }, to: [{ address: DURAND() }], subject: 'Compte rendu', text: 'Bonjour.', messageId, envelopeId: id, productReference: 'DEV000000', readReceipt: true, date: new Date() },
    { messageIdDomain: s.domain },
  );
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  expect(built.dsn).toMatchObject({ id, notify: ['success', 'failure', 'delay'], return: 'headers' });
  const token = await psc.getAccessToken('u-martin');
  seenTokens.add(token.value);
  const smtp = nodemailer.createTransport({
    host: s.host,
    port: s.smtpPort,
    secure: false,
    requireTLS: true,
    tls: policy.connectionOptions({ servername: s.servername }),
    auth: { type: 'OAuth2', user: MARTIN(), accessToken: token.value },
    logger: false,
  });
  const info = await smtp.sendMail({ envelope: { from: built.envelope.from, to: [...built.envelope.to] }, raw: built.raw, dsn: { ...built.dsn!, notify: [...built.dsn!.notify] } });
  smtp.close();
  expect(info.accepted).toEqual([DURAND()]);
  expect(await store.completeOutbound(id, 'e2e', { status: 'accepted', response: info.response, now: Date.now() })).toBe(true);

  // ---- the poller reads the DSN Postfix wrote into the sender's mailbox
  const first = poller();
  const record = await eventually(async () => {
    await first.pollOnce();
    const r = await store.getOutbound(id);
    return r?.status === 'delivered' ? r : undefined;
  }, 30_000, 500);
  expect(record).toMatchObject({ id, status: 'delivered' });
  expect(await store.listReceipts(id)).toEqual([
    expect.objectContaining({ outboundId: id, mailbox: MARTIN(), recipient: DURAND(), type: 'dsn', action: expect.stringMatching(/^(delivered|relayed)$/), status: expect.stringMatching(/^2\./), state: 'delivered' }),
  ]);

  const look = await imapAs('u-martin', MARTIN());
  try {
    // moved: in « Accusés MSSanté », no longer in INBOX (the DSN's returned headers carry our Message-ID)
    const filed = await find(look, DEFAULT_RECEIPTS_FOLDER, 'content-type', 'multipart/report');
    expect(filed.filter((m) => m.source.includes(messageId))).toHaveLength(1);
    expect((await find(look, 'INBOX', 'content-type', 'multipart/report')).filter((m) => m.source.includes(messageId))).toEqual([]);
    // not ours: still in INBOX and still unseen
    for (const tag of ['plain', 'exim']) {
      const left = await find(look, 'INBOX', 'X-E2E-Run', `${runId}-${tag}`);
      expect(left).toHaveLength(1);
      expect(left[0].flags.has('\\Seen')).toBe(false);
    }

    // ---- a restart: a new poller on the same store reads nothing again (the unmatched Exim DSN is still unseen in
    // INBOX: without the stored UID it would be read again)
    const restarted = poller();
    expect(await restarted.pollOnce()).toMatchObject({ mailboxes: 1, reports: 0, matched: 0, unmatched: 0, failed: 0 });
    expect(await store.getImapPosition(MARTIN())).toEqual({ uidValidity: expect.any(Number), lastUid: expect.any(Number), readThroughAt: expect.any(Number) });

    // ---- the real Direct MDN, adapted (Original-Message-ID, Final-Recipient, "displayed", its own Message-ID), APPENDed
    const mdn = readFileSync(join(EML, 'nhind_MDNMessage_processed.eml'), 'latin1')
      .replace('<9501051053.aa04167@IETF.CNR I.Reston.VA.US>', messageId)
      .replace('Final-Recipient: externUser1@starugh-stateline.com', `Final-Recipient: rfc822; ${DURAND()}`)
      .replace('automatic-action/MDN-sent-automatically;processed', 'manual-action/MDN-sent-manually;displayed')
      .replace('message-id: 0c796d0e-4c76-43e8-be40-2cd5e30c1005', `message-id: <mdn-${runId}@${s.domain}>`)
      .replace(/\r?\n/g, '\r\n');
    await look.append('INBOX', Buffer.from(mdn, 'latin1'));
  } finally {
    await look.logout();
  }
  await eventually(async () => {
    await first.pollOnce();
    return (await store.getOutbound(id))?.status === 'read' ? true : undefined;
  }, 15_000, 500);
  expect((await store.listReceipts(id)).map((r) => [r.type, r.state])).toEqual([
    ['dsn', 'delivered'],
    ['mdn', 'read'],
  ]);
  const after = await imapAs('u-martin', MARTIN());
  try {
    expect((await find(after, DEFAULT_RECEIPTS_FOLDER, 'message-id', `mdn-${runId}`)).length).toBe(1);
    expect(await find(after, 'INBOX', 'message-id', `mdn-${runId}`)).toEqual([]);
  } finally {
    await after.logout();
  }
  expect(first.totals()).toMatchObject({ matched: 2, failed: 0 });
  expect(first.totals().unmatched).toBeGreaterThanOrEqual(1); // the Exim DSN (and those of earlier runs, if any)

  // ---- ids and codes only: no full address, no token in the logs
  const text = logger.lines.join('\n');
  expect(logger.lines.some((l) => l.includes('"event":"receipts.matched"'))).toBe(true);
  expect(text).not.toContain(MARTIN());
  expect(text).not.toContain(DURAND());
  for (const t of seenTokens) expect(text).not.toContain(t);
});

test('a mailbox whose author has no live PSC session is skipped, not failed', async () => {
  const id = randomUUID();
  await store.enqueueOutbound({ id, mailbox: `inconnu@${s.domain}`, authorId: 'u-sans-session', idempotencyKey: id, requestHash: 'h', messageId: `<${id}@${s.domain}>`, payload: '{}', recipientsCount: 1, now: Date.now() });
  const [job] = await store.claimOutbound({ workerId: 'e2e', now: Date.now(), leaseMs: 60_000, limit: 1 });
  await store.completeOutbound(job.id, 'e2e', { status: 'accepted', response: '250 2.0.0 Ok', now: Date.now() });
  const summary = await poller().pollOnce();
  expect(summary).toMatchObject({ skipped: 1, failed: 0 });
});
