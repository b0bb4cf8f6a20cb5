// Runtime: Node (jest). The Medimail adapter against a local SOAP stand-in built from the real WSDL
// (../shared/data/medimail/medimail.wsdl) with the `soap` package's server, over HTTPS on 127.0.0.1:0 requiring a
// client certificate (throw-away PKI). Checks the RPC/encoded `send` call as the server decodes it, the mapping of
// X-MSS-* headers onto ins/codecda/nil, attachments, operator errors and a missing client certificate.

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { listen } from 'soap';
import { createMedimailTransport, parseSendResult } from '../../src/connector/transport/medimail-soap';
import { makePki, type TestPki } from './helpers/pki';

const WSDL = resolve(__dirname, '../../../shared/data/medimail/medimail.wsdl');
const ACCOUNT = 'secretariat@medimail.test.mssante.fr';

let pki: TestPki;
let server: Server;
let endpoint: string;
const calls: Array<{ args: Record<string, unknown>; clientCn?: string }> = [];
const soapActions: string[] = [];
let answer = '<webisend status="OK" refs="MM-0001"><mss>ok</mss></webisend>';

beforeAll(async () => {
  pki = makePki();
  server = createServer({ key: pki.serverKey, cert: pki.serverChain, ca: pki.anchors, requestCert: true, rejectUnauthorized: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // node-soap's server resolves every RPC operation of this WSDL to the first one (they share soapAction
  // "urn:WebServicesAction" and their input parts have no element): the stand-in therefore dispatches on the body
  // element it saw, as an RPC server does, from node-soap's 'request' event.
  let operation = '';
  const handler = (args: Record<string, unknown>, _cb: unknown, _headers: unknown, req: { socket: { getPeerCertificate(): { subject?: { CN?: string } } } }) => {
    if (operation !== 'send') return { return: `opération ${operation} non simulée` };
    calls.push({ args, clientCn: req.socket.getPeerCertificate().subject?.CN });
    return { sendResult: answer };
  };
  const ops = ['hello', 'annuaire', 'open', 'opendebug', 'send', 'checkbox', 'webicron', 'control'];
  const services = { medimailService: { WebServicesPort: Object.fromEntries(ops.map((o) => [o, handler])) } };
  const soapServer = listen(server, '/wsdl_mss', services, readFileSync(WSDL, 'utf8'));
  soapServer.on('request', (envelope: { Body?: Record<string, unknown> }) => {
    operation = Object.keys(envelope.Body ?? {}).find((k) => k !== 'attributes') ?? '';
  });
  soapServer.authorizeConnection = (req) => {
    soapActions.push(String(req.headers.soapaction));
    return true;
  };
  endpoint = `https://localhost:${(server.address() as AddressInfo).port}/wsdl_mss`;
});
afterAll(() => server.close());

const transport = (extra: Partial<Parameters<typeof createMedimailTransport>[0]> = {}) =>
  createMedimailTransport({ wsdl: WSDL, endpoint, account: ACCOUNT, pfx: pki.clientP12, passphrase: pki.clientP12Pass, tls: { ca: pki.anchors }, nil: 'DEV000000', ...extra });

test('send: the RPC/encoded call carries account, recipients, title, body, attachments and the X-MSS values', async () => {
  const t = await transport();
  const result = await t.submit({
    from: ACCOUNT,
    to: ['dr.durand@hopital.mssante.fr', 'dr.martin@hopital.mssante.fr'],
    cc: ['secretariat@hopital.mssante.fr'],
    subject: 'XDM/1.0/DDM+COMPTE RENDU',
    text: 'Compte rendu joint.',
    headers: { 'X-MSS-INS': 'O', 'x-mss-codecda': '11488-4' },
    attachments: [{ filename: 'IHE_XDM.zip', content: Buffer.from('PK zip'), contentType: 'application/zip' }],
  });
  await t.close();
  expect(result).toEqual({ messageId: 'MM-0001', accepted: ['dr.durand@hopital.mssante.fr', 'dr.martin@hopital.mssante.fr', 'secretariat@hopital.mssante.fr'], rejected: [], response: 'Medimail OK' });
  const { args, clientCn } = calls[calls.length - 1];
  expect(clientCn).toBe('lis@hopital.test.mssante.fr');
  expect(soapActions[soapActions.length - 1]).toBe('"urn:WebServicesAction"');
  expect(args).toMatchObject({
    acount: ACCOUNT,
    signatories: 'dr.durand@hopital.mssante.fr;dr.martin@hopital.mssante.fr',
    recipients: 'secretariat@hopital.mssante.fr',
    title: 'XDM/1.0/DDM+COMPTE RENDU',
    message: 'Compte rendu joint.',
    ins: 'O',
    codecda: '11488-4',
    nil: 'DEV000000',
  });
  const attachment1 = (args.attachments as { attachment1: { name: string; content: string } }).attachment1;
  expect(attachment1).toEqual({ name: 'IHE_XDM.zip', content: Buffer.from('PK zip').toString('base64') });
});

test('an operator error (<error id>) is OPERATOR_ERROR with the id kept', async () => {
  answer = '<error id="12">Compte inconnu</error>';
  const t = await transport();
  await expect(t.submit({ from: ACCOUNT, to: ['x@y.mssante.fr'], subject: 's', text: 't' })).rejects.toMatchObject({ code: 'OPERATOR_ERROR', originalCode: 'MEDIMAIL_12', command: 'send' });
  answer = '<webisend status="OK" refs="MM-0002"></webisend>';
});

test('more than five attachments is refused before any call', async () => {
  const t = await transport();
  const before = calls.length;
  const six = Array.from({ length: 6 }, (_, i) => ({ filename: `f${i}.pdf`, content: Buffer.from('x') }));
  await expect(t.submit({ from: ACCOUNT, to: ['x@y.mssante.fr'], subject: 's', text: 't', attachments: six })).rejects.toMatchObject({ code: 'MESSAGE_REFUSED' });
  expect(calls.length).toBe(before);
});

test('a client certificate the server does not trust, or an unreadable PKCS#12, fails cleanly', async () => {
  const p12 = readFileSync(join(pki.dir, 'client.p12'));
  await expect(transport({ pfx: p12, passphrase: 'faux' })).rejects.toMatchObject({ code: 'AUTH_CLIENT_CERT_INVALID' });
  const untrusted = await transport({ tls: { ca: pki.otherCert } }); // server certificate not trusted by the client
  await expect(untrusted.submit({ from: ACCOUNT, to: ['x@y.mssante.fr'], subject: 's', text: 't' })).rejects.toMatchObject({ code: 'TLS_UNTRUSTED_CA' });
});

test('parseSendResult reads status and refs leniently', () => {
  expect(parseSendResult('<webisend status="OK" refs="A;B"/>')).toEqual({ ok: true, refs: 'A;B', status: 'OK' });
  expect(parseSendResult('<webisend status="KO"/>')).toMatchObject({ ok: false, error: { code: 'OPERATOR_ERROR', originalCode: 'MEDIMAIL_STATUS_KO' } });
});
