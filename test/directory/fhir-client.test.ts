// Runtime: Node (jest). The Annuaire Santé FHIR client against a local HTTP server (127.0.0.1:0) serving the real
// ANS example resources (test/fixtures/directory, SOURCES.md): mailboxes with and without metadata, a searchset
// Bundle, resources without mailbox, an OperationOutcome error, 429 with Retry-After, a timeout.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createFhirClient, mailboxMetadata, recordFromResource, TokenBucket } from '../../src/connector/directory/fhir-client';
import { FIXTURES } from './helpers';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const bundle = (resources: unknown[]) => ({ resourceType: 'Bundle', type: 'searchset', total: resources.length, entry: resources.map((resource) => ({ resource })) });

describe('parsing ANS resources', () => {
  it('reads a PER mailbox with metadata (Practitioner-3719500) and ignores its non-MSS e-mail', () => {
    const p = fixture('Practitioner-3719500.json');
    expect(recordFromResource(p, 'davidchatelier@pro.mssante.fr')).toMatchObject({ address: 'davidchatelier@pro.mssante.fr', type: 'PER', name: 'David CHATELIER', nationalId: '810102727017', professionCode: '21' });
    expect(recordFromResource(p, 'davidchatelier@orange.fr')).toBeUndefined();
  });

  it('reads a public-data profile without metadata (type from the resource)', () => {
    expect(recordFromResource(fixture('Practitioner-3719500DP.json'), 'davidchatelier@xxx.mssante.fr')).toMatchObject({ type: 'PER', name: 'David CHATELIER' });
  });

  it('reads an ORG mailbox with description (Organization nancy); phones and plain e-mails are not mailboxes', () => {
    const o = fixture('Organization-example-organization-nancy.json');
    expect(recordFromResource(o, 'exemple.address@address.mssante.fr')).toMatchObject({ type: 'ORG', name: 'Description-mss' });
    expect(recordFromResource(o, 'direction.generale@chu-nancy.fr')).toBeUndefined();
    expect(recordFromResource(fixture('Organization-481677DP.json'), 'x@y.mssante.fr')).toBeUndefined();
  });

  it('parses as-ext-mailbox-mss-metadata defensively', () => {
    const url = 'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata';
    expect(mailboxMetadata({ extension: [{ url, extension: [{ url: 'type', valueCodeableConcept: { coding: [{ code: 'XYZ' }] } }, { url: 'digitization', valueBoolean: true }, 42, null] }] })).toEqual({});
    expect(mailboxMetadata({ extension: [{ url, extension: [{ url: 'type', valueCoding: { code: 'app' } }, { url: 'service', valueString: ' Urgences ' }] }] })).toEqual({ type: 'APP', service: 'Urgences' });
    expect(mailboxMetadata({ extension: 'nope' } as never)).toEqual({});
  });
});

describe('createFhirClient against a local server', () => {
  let server: Server;
  let base: string;
  const seen: { url: string; key: string | undefined }[] = [];
  let quotaHits = 0;
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ url: `${url.pathname}?${url.searchParams.toString()}`, key: req.headers['esante-api-key'] as string | undefined });
      const address = url.searchParams.get('mailbox-mss:exact') ?? '';
      const type = url.pathname.split('/').pop();
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers }).end(JSON.stringify(body));
      };
      if (req.headers['esante-api-key'] !== 'cle-de-test') return send(401, fixture('OperationOutcome-invalid-param.json'));
      if (address === 'lent@pro.mssante.fr') return; // never answers
      if (address === 'erreur@pro.mssante.fr') return send(400, fixture('OperationOutcome-invalid-param.json'));
      if (address === 'quota@pro.mssante.fr' && quotaHits++ < 1) return send(429, {}, { 'retry-after': '0' });
      if (type === 'Practitioner' && address === 'davidchatelier@pro.mssante.fr') return send(200, bundle([fixture('Practitioner-3719500.json')]));
      if (type === 'Practitioner' && address === 'sophie.martin@medecin.mssante.fr') return send(200, fixture('Bundle-mss-bundle-bal-per-full.json'));
      if (type === 'Organization' && address === 'exemple.address@address.mssante.fr') return send(200, bundle([fixture('Organization-example-organization-nancy.json')]));
      if (type === 'PractitionerRole') return send(200, bundle([fixture('PractitionerRole-1578230.json')]));
      return send(200, bundle([]));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir/v2`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('looks a PER mailbox up with mailbox-mss:exact and the ESANTE-API-KEY header, then caches it', async () => {
    seen.length = 0;
    const client = createFhirClient({ baseUrl: base, apiKey: 'cle-de-test' });
    const r = await client.lookup('DavidChatelier@Pro.MSSante.fr');
    expect(r).toMatchObject({ status: 'found', resourceType: 'Practitioner', resourceId: '3719500', record: { type: 'PER', name: 'David CHATELIER' } });
    expect(seen).toEqual([{ url: '/fhir/v2/Practitioner?mailbox-mss%3Aexact=davidchatelier%40pro.mssante.fr', key: 'cle-de-test' }]);
    await client.lookup('davidchatelier@pro.mssante.fr');
    expect(client.requests).toBe(1);
  });

  it('finds the right entry of a searchset Bundle, an ORG on Organization, and nothing elsewhere', async () => {
    const client = createFhirClient({ baseUrl: base, apiKey: 'cle-de-test' });
    expect(await client.lookup('sophie.martin@medecin.mssante.fr')).toMatchObject({ status: 'found', record: { type: 'PER', name: 'Sophie MARTIN' } });
    seen.length = 0;
    expect(await client.lookup('exemple.address@address.mssante.fr')).toMatchObject({ status: 'found', resourceType: 'Organization', record: { type: 'ORG' } });
    expect(seen.map((s) => s.url.split('?')[0])).toEqual(['/fhir/v2/Practitioner', '/fhir/v2/Organization']);
    seen.length = 0;
    expect(await client.lookup('inconnu@pro.mssante.fr')).toEqual({ status: 'not-found' });
    expect(seen.map((s) => s.url.split('?')[0])).toEqual(['/fhir/v2/Practitioner', '/fhir/v2/Organization', '/fhir/v2/PractitionerRole']);
  });

  it('turns an OperationOutcome, a timeout and a bad key into French error values (not cached)', async () => {
    const client = createFhirClient({ baseUrl: base, apiKey: 'cle-de-test', timeoutMs: 200 });
    expect(await client.lookup('erreur@pro.mssante.fr')).toEqual({ status: 'error', code: 'FHIR_HTTP', httpStatus: 400, message: "L'Annuaire Santé a répondu 400 : Parameter mailbox-mss-type not found." });
    expect(await client.lookup('lent@pro.mssante.fr')).toMatchObject({ status: 'error', code: 'FHIR_TIMEOUT', message: "L'Annuaire Santé n'a pas répondu en 0 s." });
    const bad = createFhirClient({ baseUrl: base, apiKey: 'mauvaise' });
    expect(await bad.lookup('davidchatelier@pro.mssante.fr')).toMatchObject({ status: 'error', code: 'FHIR_HTTP', httpStatus: 401 });
    const before = client.requests;
    await client.lookup('erreur@pro.mssante.fr');
    expect(client.requests).toBe(before + 1);
  });

  it('waits for Retry-After on 429 and retries', async () => {
    quotaHits = 0;
    const waits: number[] = [];
    const client = createFhirClient({ baseUrl: base, apiKey: 'cle-de-test', sleep: async (ms) => void waits.push(ms) });
    expect(await client.lookup('quota@pro.mssante.fr')).toEqual({ status: 'not-found' });
    expect(waits).toContain(0);
  });
});

describe('TokenBucket', () => {
  it('lets 17 requests through at once, then one every 1/17 s', async () => {
    let t = 0;
    const sleeps: number[] = [];
    const bucket = new TokenBucket(17, 17, () => t, async (ms) => {
      sleeps.push(ms);
      t += ms;
    });
    for (let i = 0; i < 17; i++) await bucket.take();
    expect(sleeps).toEqual([]);
    for (let i = 0; i < 17; i++) await bucket.take();
    // 17 more need one more second of virtual time
    expect(t).toBeGreaterThanOrEqual(1000);
    expect(t).toBeLessThanOrEqual(1100);
  });
});
