// Runtime: Node (jest, e2e). Personal mailboxes against the real operator stand-in: a message submitted to Postfix
// with SASL XOAUTH2 (Pro Santé Connect token introspected by Dovecot at the OIDC stand-in) lands in the recipient's
// Dovecot mailbox and is read back over IMAP (XOAUTH2 too); a wrong token and an expired token are refused with
// clear codes; an expired access token is refreshed transparently while the refresh token is valid; a refused
// refresh token ends the session (SESSION_ENDED). Last: no token and no private key in the logs or the data folder.

import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PscClient } from '../../src/connector/psc/psc-client';
import type { TransportError } from '../../src/connector/transport/errors';
import { createOperatorTransport } from '../../src/connector/transport/operator-transport';
import type { TlsPolicy } from '../../src/connector/transport/tls-policy';
import type { AccessTokenSource, OperatorCredentials, Transport } from '../../src/connector/transport/types';
import { capturingLogger, dataDir, endPscSessions, eventually, policyFor, pscClient, signIn, standIn, type StandIn } from './helpers';

let s: StandIn;
let policy: TlsPolicy;
let psc: PscClient;
let data: string;
const logger = capturingLogger();
/** Every token value the test saw, to grep for afterwards. */
const seenTokens = new Set<string>();

const recording = (src: AccessTokenSource): AccessTokenSource => ({
  async getAccessToken(o) {
    const t = await src.getAccessToken(o);
    seenTokens.add(t.value);
    return t;
  },
});

const MARTIN = () => `dr.martin@${s.domain}`;
const DURAND = () => `dr.durand@${s.domain}`;

function transportFor(credentials: OperatorCredentials): Transport {
  return createOperatorTransport({
    smtp: { host: s.host, port: s.smtpPort, servername: s.servername },
    imap: { host: s.host, port: s.imapPort, servername: s.servername },
    tlsPolicy: policy,
    credentials,
    logger,
  });
}

const fixed = (value: string, expiresAt: number): AccessTokenSource => ({ getAccessToken: async () => ({ value, expiresAt }) });

beforeAll(async () => {
  s = standIn();
  data = dataDir();
  ({ policy } = await policyFor(s, data, logger));
  psc = await pscClient(s, 'mss-connecteur', logger);
  await signIn(psc, 'u-martin', MARTIN());
  await signIn(psc, 'u-durand', DURAND());
});

test('XOAUTH2 submission lands in the Dovecot mailbox and is read back over IMAP', async () => {
  const sender = transportFor({ kind: 'psc', mailbox: MARTIN(), tokens: recording(psc.tokenSource('u-martin')) });
  const messageId = `<${randomUUID()}@${s.domain}>`;
  const result = await sender.submit({
    from: MARTIN(),
    to: [DURAND()],
    subject: 'Compte rendu de consultation',
    text: 'Bonjour, veuillez trouver le compte rendu.',
    headers: { 'X-MSS-NIL': 'DEV000000' },
    messageId,
  });
  expect(result).toEqual({ messageId, accepted: [DURAND()], rejected: [], response: expect.stringMatching(/^250 /) });

  const reader = transportFor({ kind: 'psc', mailbox: DURAND(), tokens: recording(psc.tokenSource('u-durand')) });
  const box = await reader.openMailbox();
  try {
    const found = await eventually(async () => (await box.fetchRecent({ limit: 50 })).find((m) => m.messageId === messageId));
    expect(found.subject).toBe('Compte rendu de consultation');
    expect(found.from).toBe(MARTIN());
    expect(found.source.toString()).toMatch(/^X-MSS-NIL: DEV000000\r?$/m);
    expect(await box.listMailboxes()).toContain('INBOX');
  } finally {
    await reader.close();
  }
  const postfixLog = readFileSync(join(s.logs, 'postfix.log'), 'utf8');
  expect(postfixLog).toMatch(/sasl_method=XOAUTH2, sasl_username=dr\.martin@/);
  expect(readFileSync(join(s.logs, 'dovecot.log'), 'utf8')).toMatch(/Login: user=<dr\.durand@[^>]+>, method=XOAUTH2/);
});

test('a wrong token is refused on SMTP and IMAP with AUTH_TOKEN_REFUSED (protocol reply kept)', async () => {
  const t = transportFor({ kind: 'psc', mailbox: MARTIN(), tokens: fixed('jeton-invalide-0123456789', Date.now() + 60_000) });
  const smtp = await t.submit({ from: MARTIN(), to: [DURAND()], subject: 'x', text: 'x' }).catch((e: TransportError) => e);
  expect(smtp).toMatchObject({ name: 'TransportError', code: 'AUTH_TOKEN_REFUSED', responseCode: 535, command: 'AUTH XOAUTH2' });
  expect((smtp as TransportError).message).toMatch(/refusé le jeton Pro Santé Connect/);
  const imap = await t.openMailbox().catch((e: TransportError) => e);
  expect(imap).toMatchObject({ code: 'AUTH_TOKEN_REFUSED', serverResponseCode: 'AUTHENTICATIONFAILED' });
});

describe('token lifetime (client with 3-second access tokens)', () => {
  let short: PscClient;
  beforeAll(async () => {
    short = await pscClient(s, 'mss-connecteur-court', logger, 0);
    await signIn(short, 'u-martin-court', MARTIN());
  });

  test('an expired access token is refused (AUTH_TOKEN_EXPIRED), and refreshed transparently by the PSC client', async () => {
    const first = await short.getAccessToken('u-martin-court');
    seenTokens.add(first.value);
    await new Promise((r) => setTimeout(r, first.expiresAt - Date.now() + 1500));
    // Presented as is, the stale token is refused by Dovecot's introspection: the clock says why.
    const stale = transportFor({ kind: 'psc', mailbox: MARTIN(), tokens: fixed(first.value, first.expiresAt) });
    await expect(stale.openMailbox()).rejects.toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
    // Through the PSC client, the same session refreshes and the operator accepts the new token.
    const live = transportFor({ kind: 'psc', mailbox: MARTIN(), tokens: recording(short.tokenSource('u-martin-court')) });
    const box = await live.openMailbox();
    await box.close();
    const second = await short.getAccessToken('u-martin-court');
    expect(second.value).not.toBe(first.value);
    const sent = await live.submit({ from: MARTIN(), to: [DURAND()], subject: 'après renouvellement', text: 'ok' });
    expect(sent.accepted).toEqual([DURAND()]);
  });

  test('a refused refresh token ends the session: SESSION_ENDED, then PSC_NOT_CONNECTED', async () => {
    const t = transportFor({ kind: 'psc', mailbox: MARTIN(), tokens: recording(short.tokenSource('u-martin-court')) });
    await endPscSessions(s, MARTIN());
    await new Promise((r) => setTimeout(r, 3500)); // the access token expires too
    await expect(t.submit({ from: MARTIN(), to: [DURAND()], subject: 'x', text: 'x' })).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    expect(short.hasSession('u-martin-court')).toBe(false);
    await expect(t.openMailbox()).rejects.toMatchObject({ code: 'PSC_NOT_CONNECTED' });
  });
});

test('no token and no private key in the connector logs, the data folder or the operator logs', () => {
  expect(seenTokens.size).toBeGreaterThanOrEqual(3);
  const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
  const haystacks: Array<[string, string]> = [
    ['connector log', logger.lines.join('\n')],
    ...files(data).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
    ...files(s.logs).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
  ];
  expect(logger.lines.length).toBeGreaterThan(5);
  for (const [where, text] of haystacks) {
    for (const token of seenTokens) expect({ where, hasToken: text.includes(token) }).toEqual({ where, hasToken: false });
    expect({ where, hasKey: /PRIVATE KEY-----/.test(text) }).toEqual({ where, hasKey: false });
  }
});
