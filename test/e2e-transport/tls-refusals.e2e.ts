// Runtime: Node (jest, e2e). The refusals of ECO.1.1.2-1.1.6, each with a clear code, over SMTP (smtp-server from
// npm) and IMAP (a minimal STARTTLS greeter) on 127.0.0.1:0, with certificates of the stand-in's throw-away PKI:
// a TLS 1.1-only server, a TLS 1.3-only server, a server with another cipher suite, a certificate from another CA,
// a revoked one, an expired one. Faster than reconfiguring Postfix for each case; the control case shows that the
// same servers are accepted with the operator's valid certificate.

import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContextOptions } from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { openImapSession } from '../../src/connector/transport/imap-session';
import { createSmtpSubmission } from '../../src/connector/transport/smtp-submission';
import type { TlsPolicy } from '../../src/connector/transport/tls-policy';
import type { OperatorCredentials } from '../../src/connector/transport/types';
import { capturingLogger, dataDir, policyFor, standIn, type StandIn } from './helpers';

let s: StandIn;
let policy: TlsPolicy;
const logger = capturingLogger();
const servers: Array<{ close: () => unknown }> = [];

/** A STARTTLS IMAP greeter: enough of RFC 3501 for the client to upgrade; the handshake is what is under test. */
async function imapGreeter(tls: SecureContextOptions): Promise<number> {
  const context = createSecureContext(tls);
  const server: Server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.write('* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] greeter ready\r\n');
    socket.on('data', (chunk) => {
      for (const line of chunk.toString().split('\r\n').filter(Boolean)) {
        const [tag, command] = line.split(' ');
        if (/^CAPABILITY$/i.test(command)) socket.write(`* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n${tag} OK done\r\n`);
        else if (/^STARTTLS$/i.test(command)) {
          socket.removeAllListeners('data');
          socket.write(`${tag} OK begin TLS\r\n`, () => {
            const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
            secure.on('error', () => socket.destroy());
          });
        } else socket.write(`${tag} BAD unexpected\r\n`);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/** smtp-server with the given TLS settings (STARTTLS on a plain port). */
async function smtpServer(tls: SecureContextOptions, onCipher?: (name: string | undefined) => void): Promise<number> {
  const server = new SMTPServer({
    ...tls,
    secure: false,
    authOptional: true,
    logger: false,
    onMailFrom: (_address, session, cb) => {
      const t = session.tlsOptions as { standardName?: string; name?: string } | false | undefined;
      onCipher?.(t ? (t.standardName ?? t.name) : undefined);
      cb();
    },
    onData: (stream, _session, cb) => stream.resume().on('end', () => cb()),
  } as ConstructorParameters<typeof SMTPServer>[0]);
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  servers.push(server);
  return (server.server.address() as AddressInfo).port;
}

const psc = (): OperatorCredentials => ({ kind: 'psc', mailbox: `dr.martin@${s.domain}`, tokens: { getAccessToken: async () => ({ value: 'jeton-jamais-envoye', expiresAt: Date.now() + 60_000 }) } });

interface Case {
  readonly name: string;
  readonly code: string;
  readonly tls: () => SecureContextOptions;
}

const chain = (leaf: string) => Buffer.concat([s.file(`${leaf}.crt`), s.file('inter/cert.pem')]);
const CASES: readonly Case[] = [
  { name: 'a server offering only TLS 1.1', code: 'TLS_VERSION_REFUSED', tls: () => ({ key: s.file('server.key'), cert: chain('server'), minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }) },
  { name: 'a server offering only TLS 1.3', code: 'TLS_VERSION_REFUSED', tls: () => ({ key: s.file('server.key'), cert: chain('server'), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }) },
  { name: 'a server with another cipher suite (RSA key exchange)', code: 'TLS_CIPHER_REFUSED', tls: () => ({ key: s.file('server.key'), cert: chain('server'), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384:AES128-SHA256' }) },
  { name: 'a server certificate from another CA', code: 'TLS_UNTRUSTED_CA', tls: () => ({ key: s.file('other-server.key'), cert: s.file('other-server.crt') }) },
  { name: 'a revoked server certificate', code: 'TLS_CERT_REVOKED', tls: () => ({ key: s.file('revoked.key'), cert: chain('revoked') }) },
  { name: 'an expired server certificate', code: 'TLS_CERT_EXPIRED', tls: () => ({ key: s.file('expired.key'), cert: chain('expired') }) },
];

beforeAll(async () => {
  s = standIn();
  ({ policy } = await policyFor(s, dataDir(), logger));
});

afterAll(async () => {
  await Promise.all(servers.map((x) => x.close()));
});

describe.each(CASES)('refused: $name', ({ code, tls }) => {
  test(`SMTP submission → ${code}`, async () => {
    const port = await smtpServer(tls());
    const submission = createSmtpSubmission({ host: '127.0.0.1', port, servername: 'localhost', tlsPolicy: policy, credentials: psc(), logger });
    const err = await submission.submit({ from: `dr.martin@${s.domain}`, to: [`dr.durand@${s.domain}`], subject: 'x', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TransportError', code });
    expect((err as Error).message).not.toMatch(/^Error/);
  });

  test(`IMAP → ${code}`, async () => {
    const port = await imapGreeter(tls());
    const err = await openImapSession({ host: '127.0.0.1', port, servername: 'localhost', tlsPolicy: policy, credentials: psc(), logger }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TransportError', code });
  });
});

test('control: the same SMTP server with the operator certificate is accepted (TLS 1.2, one of the four suites)', async () => {
  let cipher: string | undefined;
  const port = await smtpServer({ key: s.file('server.key'), cert: chain('server') }, (name) => {
    cipher = name;
  });
  const submission = createSmtpSubmission({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    tlsPolicy: policy,
    credentials: { kind: 'certificate', mailbox: s.appMailbox, pfx: s.appP12, passphrase: s.appP12Pass },
    logger,
  });
  const result = await submission.submit({ from: s.appMailbox, to: [`dr.durand@${s.domain}`], subject: 'x', text: 'x' });
  expect(result.accepted).toEqual([`dr.durand@${s.domain}`]);
  expect(cipher).toMatch(/^(TLS_ECDHE_RSA_WITH_AES_(256|128)_(GCM|CBC)_SHA(384|256)|ECDHE-RSA-AES(256|128)-(GCM-)?SHA(384|256))$/);
});
