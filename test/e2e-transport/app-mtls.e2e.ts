// Runtime: Node (jest, e2e). Applicative mailbox (BAL APP) with mutual TLS against the stand-in's Postfix: with its
// IGC-Santé organisation certificate (PKCS#12) the message is accepted and delivered; without a certificate, with a
// certificate from another CA, or with an unreadable PKCS#12 it fails cleanly with a code. The private key is never
// written to the connector's logs or data folder.

import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { PscClient } from '../../src/connector/psc/psc-client';
import { toTransportError } from '../../src/connector/transport/errors';
import { openImapSession } from '../../src/connector/transport/imap-session';
import { createOperatorTransport } from '../../src/connector/transport/operator-transport';
import { createSmtpSubmission } from '../../src/connector/transport/smtp-submission';
import type { TlsPolicy } from '../../src/connector/transport/tls-policy';
import { capturingLogger, dataDir, eventually, policyFor, pscClient, signIn, standIn, type StandIn } from './helpers';

let s: StandIn;
let policy: TlsPolicy;
let data: string;
let psc: PscClient;
const logger = capturingLogger();
const DURAND = () => `dr.durand@${s.domain}`;
const submission = (pfx: Buffer, passphrase: string) =>
  createSmtpSubmission({ host: s.host, port: s.smtpPort, servername: s.servername, tlsPolicy: policy, credentials: { kind: 'certificate', mailbox: s.appMailbox, pfx, passphrase }, logger });

beforeAll(async () => {
  s = standIn();
  data = dataDir();
  ({ policy } = await policyFor(s, data, logger));
  psc = await pscClient(s, 'mss-connecteur', logger);
  await signIn(psc, 'u-durand', DURAND());
});

test('with its IGC-Santé certificate the APP mailbox submits, and the message is delivered', async () => {
  const messageId = `<${randomUUID()}@${s.domain}>`;
  const result = await submission(s.appP12, s.appP12Pass).submit({ from: s.appMailbox, to: [DURAND()], subject: 'Résultats de biologie', text: 'Résultats disponibles.', messageId });
  expect(result).toMatchObject({ messageId, accepted: [DURAND()], rejected: [] });
  const reader = createOperatorTransport({
    smtp: { host: s.host, port: s.smtpPort, servername: s.servername },
    imap: { host: s.host, port: s.imapPort, servername: s.servername },
    tlsPolicy: policy,
    credentials: { kind: 'psc', mailbox: DURAND(), tokens: psc.tokenSource('u-durand') },
    logger,
  });
  const box = await reader.openMailbox();
  try {
    const found = await eventually(async () => (await box.fetchRecent({ limit: 50 })).find((m) => m.messageId === messageId));
    expect(found.from).toBe(s.appMailbox);
  } finally {
    await reader.close();
  }
  expect(readFileSync(join(s.logs, 'postfix.log'), 'utf8')).toMatch(/Trusted TLS connection established from localhost/);
});

test('with a certificate from another CA: AUTH_CLIENT_CERT_REFUSED, the server reply kept', async () => {
  const err = await submission(s.file('other-app.p12'), s.appP12Pass).submit({ from: s.appMailbox, to: [DURAND()], subject: 'x', text: 'x' }).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'TransportError', code: 'AUTH_CLIENT_CERT_REFUSED', responseCode: 554, command: 'RCPT TO' });
  expect((err as { response: string }).response).toMatch(/5\.7\.1 .*Access denied/);
});

test('without any certificate the operator refuses the session (mapped to AUTH_CLIENT_CERT_REFUSED)', async () => {
  // What an APP mailbox configured without its PKCS#12 would send: STARTTLS, no certificate, no SASL.
  const bare = nodemailer.createTransport({ host: s.host, port: s.smtpPort, secure: false, requireTLS: true, tls: policy.connectionOptions({ servername: s.servername }), logger: false });
  const raw = await bare.sendMail({ from: s.appMailbox, to: DURAND(), subject: 'x', text: 'x' }).catch((e: unknown) => e);
  expect(toTransportError(raw, { auth: 'certificate', protocol: 'smtp' })).toMatchObject({ code: 'AUTH_CLIENT_CERT_REFUSED', responseCode: 554 });
});

test('an unreadable PKCS#12 (wrong passphrase, empty file) fails before any connection: AUTH_CLIENT_CERT_INVALID', () => {
  expect(() => submission(s.appP12, 'mauvais-mot-de-passe')).toThrow(expect.objectContaining({ code: 'AUTH_CLIENT_CERT_INVALID' }));
  expect(() => submission(Buffer.alloc(0), s.appP12Pass)).toThrow(expect.objectContaining({ code: 'AUTH_CLIENT_CERT_INVALID' }));
});

test('IMAP for an APP mailbox is refused explicitly (no public binding after mutual TLS, no SASL EXTERNAL in imapflow)', async () => {
  await expect(openImapSession({ host: s.host, port: s.imapPort, servername: s.servername, tlsPolicy: policy, credentials: { kind: 'certificate', mailbox: s.appMailbox, pfx: s.appP12, passphrase: s.appP12Pass } })).rejects.toMatchObject({ code: 'AUTH_MECHANISM_UNAVAILABLE' });
});

test('no private key, PKCS#12 or passphrase in the connector logs or data folder', () => {
  const texts = [logger.lines.join('\n'), ...readdirSync(join(data, 'crl')).map((f) => readFileSync(join(data, 'crl', f), 'latin1'))];
  expect(logger.lines.length).toBeGreaterThan(0);
  for (const text of texts) {
    expect(text).not.toMatch(/PRIVATE KEY-----/);
    expect(text).not.toContain(s.appP12Pass);
    expect(text).not.toContain(s.appP12.subarray(0, 64).toString('latin1'));
  }
});
