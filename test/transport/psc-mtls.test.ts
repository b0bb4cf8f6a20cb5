// Runtime: Node (jest). Client authentication of the connector at the Pro Santé Connect token endpoint by mutual TLS with
// the structure's IGC-Santé certificate (RFC 8705 `tls_client_auth`), which the PSC "Espace de Confiance" requires
// (MSSANTE.md §1.3). The provider (helpers/fake-psc.ts) serves discovery over HTTP and its token and revocation
// endpoints over HTTPS on 127.0.0.1:0 with a REQUIRED client certificate, both from a throw-away PKI made by openssl.
import { PscClient } from '../../src/connector/psc/psc-client';
import { startFakePsc, type FakePsc } from './helpers/fake-psc';
import { makePki, type TestPki } from './helpers/pki';

const CLIENT_ID = 'mss-connecteur-edc';
const REDIRECT = 'https://mss.hopital.test/psc/callback';
let pki: TestPki;
let op: FakePsc;

beforeAll(async () => {
  pki = makePki();
  op = await startFakePsc({ clientId: CLIENT_ID, mtls: { key: pki.serverKey, cert: pki.serverChain, ca: pki.anchors } });
});
afterAll(() => op.close());

const create = (certificate?: { pfx: Buffer; passphrase?: string }) =>
  PscClient.create({ issuer: op.issuer, clientId: CLIENT_ID, redirectUri: REDIRECT, trustedCa: pki.anchors, logger: false, ...(certificate ? { clientCertificate: certificate } : {}) });

async function signIn(client: PscClient, userId: string): Promise<void> {
  const { authorizationUrl } = client.beginLogin(userId);
  const { code, state } = op.authorize(authorizationUrl);
  await client.completeLogin({ code, state });
}

test('code exchange, refresh and revocation authenticate with the IGC-Santé certificate (tls_client_auth), no secret', async () => {
  const client = await create({ pfx: pki.clientP12, passphrase: pki.clientP12Pass });
  await signIn(client, 'oid-alice');
  expect(client.hasSession('oid-alice')).toBe(true);
  const first = await client.getAccessToken('oid-alice');
  const refreshed = await client.getAccessToken('oid-alice', { forceRefresh: true });
  expect(refreshed.value).not.toBe(first.value);
  expect(await client.signOut('oid-alice')).toEqual({ ended: true, revoked: true });
  // code, refresh, revoke: three back-channel requests, each with the organisation certificate
  expect(op.clientCertSubjects).toEqual(['lis@hopital.test.mssante.fr', 'lis@hopital.test.mssante.fr', 'lis@hopital.test.mssante.fr']);
  expect(op.revoked).toHaveLength(1);
});

test('without the certificate, PSC refuses the client: the sign-in fails with PSC_UNAVAILABLE (invalid_client), nothing kept', async () => {
  const client = await create();
  const { authorizationUrl } = client.beginLogin('oid-bob');
  const { code, state } = op.authorize(authorizationUrl);
  await expect(client.completeLogin({ code, state })).rejects.toMatchObject({ name: 'TransportError', code: 'PSC_UNAVAILABLE', originalCode: 'invalid_client' });
  expect(client.hasSession('oid-bob')).toBe(false);
});

test('a secret and a certificate together are refused at creation (one client authentication mode)', async () => {
  await expect(PscClient.create({ issuer: op.issuer, clientId: CLIENT_ID, redirectUri: REDIRECT, clientSecret: 's', clientCertificate: { pfx: pki.clientP12 } })).rejects.toThrow(/exclusifs/);
});
