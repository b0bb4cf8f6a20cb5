// Runtime: Node (jest). SMTP submission against smtp-server (npm) on 127.0.0.1:0 with STARTTLS and a throw-away
// IGC-Santé certificate: the XOAUTH2 exchange as the server decodes it (RFC 7628-style `user=…^Aauth=Bearer …^A^A`),
// TLS 1.2 with one of the four suites, X-MSS-* spelling kept, one forced refresh after a refused token, codes for a
// second refusal, for an ended PSC session and for a server without STARTTLS.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { CrlStore } from '../../src/connector/transport/crl-store';
import { TransportError } from '../../src/connector/transport/errors';
import { createSmtpSubmission } from '../../src/connector/transport/smtp-submission';
import { MSSANTE_TLS_CIPHERS, createTlsPolicy, type TlsPolicy } from '../../src/connector/transport/tls-policy';
import type { AccessTokenSource } from '../../src/connector/transport/types';
import { makePki, type TestPki } from './helpers/pki';

let pki: TestPki;
let policy: TlsPolicy;
const servers: SMTPServer[] = [];

interface Seen {
  auths: Array<{ method: string; username?: string; accessToken?: string }>;
  cipher?: string;
  version?: string;
  messages: string[];
}

async function server(accept: (token: string) => boolean, extra: Partial<SMTPServerOptions> = {}): Promise<{ port: number; seen: Seen }> {
  const seen: Seen = { auths: [], messages: [] };
  const s = new SMTPServer({
    key: pki.serverKey,
    cert: pki.serverChain,
    authMethods: ['XOAUTH2'],
    logger: false,
    onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, cb) {
      seen.auths.push({ method: auth.method, username: auth.username, accessToken: auth.accessToken });
      const tls = session.tlsOptions as unknown as { name?: string; version?: string } | false;
      if (tls) {
        seen.cipher = tls.name;
        seen.version = tls.version;
      }
      // XOAUTH2 failure: the JSON error challenge, then 535 (smtp-server does the exchange)
      if (!accept(auth.accessToken ?? '')) return cb(null, { data: { status: '401', schemes: 'bearer', scope: 'openid' } });
      return cb(null, { user: auth.username });
    },
    onData(stream, _session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        seen.messages.push(raw);
        cb();
      });
    },
    ...extra,
  });
  s.on('error', () => undefined);
  s.listen(0, '127.0.0.1');
  await once(s.server, 'listening');
  servers.push(s);
  return { port: (s.server.address() as AddressInfo).port, seen };
}

function source(...values: string[]): AccessTokenSource & { calls: Array<{ forceRefresh?: boolean }> } {
  const calls: Array<{ forceRefresh?: boolean }> = [];
  let i = 0;
  return {
    calls,
    async getAccessToken(o = {}) {
      calls.push({ forceRefresh: o.forceRefresh });
      const value = values[Math.min(i++, values.length - 1)];
      return { value, expiresAt: Date.now() + 240_000 };
    },
  };
}

const MAILBOX = 'dr.martin@hopital.mssante.fr';
const submit = (port: number, tokens: AccessTokenSource) =>
  createSmtpSubmission({ host: '127.0.0.1', port, servername: 'localhost', tlsPolicy: policy, credentials: { kind: 'psc', mailbox: MAILBOX, tokens } }).submit({
    from: MAILBOX,
    to: ['dr.durand@hopital.mssante.fr'],
    subject: 'Objet',
    text: 'Corps',
    headers: { 'X-MSS-NIL': 'DEV000000', 'X-MSS-INS': 'N' },
  });

beforeAll(async () => {
  pki = makePki();
  const crls = await CrlStore.create({ anchors: pki.anchors });
  await crls.add(pki.rootCrl);
  await crls.add(pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 7 * 86_400_000)));
  policy = createTlsPolicy({ trustAnchors: pki.anchors, revocation: crls });
});
afterAll(() => servers.forEach((s) => s.close()));

test('XOAUTH2 after STARTTLS, TLS 1.2 and one of the four suites; the message keeps its X-MSS-* headers', async () => {
  const { port, seen } = await server((t) => t === 'jeton-1');
  const result = await submit(port, source('jeton-1'));
  expect(result).toMatchObject({ accepted: ['dr.durand@hopital.mssante.fr'], rejected: [], response: expect.stringMatching(/^250 /) });
  expect(seen.auths).toEqual([{ method: 'XOAUTH2', username: MAILBOX, accessToken: 'jeton-1' }]);
  expect(seen.version).toBe('TLSv1.2');
  expect(MSSANTE_TLS_CIPHERS.split(':')).toContain(seen.cipher);
  expect(seen.messages[0]).toMatch(/^X-MSS-NIL: DEV000000\r$/m);
  expect(seen.messages[0]).toMatch(/^X-MSS-INS: N\r$/m);
});

test('a refused token is refreshed once (forceRefresh) and the submission goes through', async () => {
  const { port, seen } = await server((t) => t === 'jeton-neuf');
  const tokens = source('jeton-perime', 'jeton-neuf');
  await expect(submit(port, tokens)).resolves.toMatchObject({ accepted: ['dr.durand@hopital.mssante.fr'] });
  expect(tokens.calls).toEqual([{ forceRefresh: false }, { forceRefresh: true }]);
  expect(seen.auths.map((a) => a.accessToken)).toEqual(['jeton-perime', 'jeton-neuf']);
});

test('refused twice: AUTH_TOKEN_REFUSED with the server reply', async () => {
  const { port } = await server(() => false);
  const err = await submit(port, source('a', 'b')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TransportError);
  expect(err).toMatchObject({ code: 'AUTH_TOKEN_REFUSED', responseCode: 535, command: 'AUTH XOAUTH2' });
});

test('an ended PSC session surfaces as SESSION_ENDED (not rewritten by nodemailer), and nothing is sent', async () => {
  const { port, seen } = await server(() => true);
  const ended: AccessTokenSource = { getAccessToken: async () => Promise.reject(new TransportError('SESSION_ENDED')) };
  await expect(submit(port, ended)).rejects.toMatchObject({ code: 'SESSION_ENDED' });
  expect(seen.messages).toEqual([]);
});

test('a server without STARTTLS: STARTTLS_UNAVAILABLE, no token sent in clear', async () => {
  const { port, seen } = await server(() => true, { disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  await expect(submit(port, source('jeton'))).rejects.toMatchObject({ code: 'STARTTLS_UNAVAILABLE' });
  expect(seen.auths).toEqual([]);
});
