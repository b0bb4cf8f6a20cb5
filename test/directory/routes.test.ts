// Runtime: Node (jest). The directory HTTP API through app.inject(), with the real app (SQLite store, real liste
// blanche) and a DirectoryService over a generated extraction plus a correspondence table.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/connector/app';
import { loadExtractionFile } from '../../src/connector/directory/load-extraction';
import { DirectoryService } from '../../src/connector/directory/service';
import { openSqliteStore, type Store } from '../../src/connector/store';
import { parseMappingCsv } from '../../src/core';
import { realTrustSpace2025, testConfig } from '../helpers/connector';
import { makeTempDir } from '../helpers/tmp';
import { standardExtraction } from './helpers';

let app: FastifyInstance;
let store: Store;
let service: DirectoryService;
let known: string[];

beforeAll(async () => {
  const { index } = await loadExtractionFile(standardExtraction());
  known = index.addresses().slice(0, 60);
  const csv = join(makeTempDir('mss-dir-map-'), 'correspondance.csv');
  writeFileSync(csv, `adresse ordinaire;adresse MSSanté\nsecretariat@clinique-exemple.fr;${known[0]}\n`);
  const { table } = parseMappingCsv(`adresse ordinaire;adresse MSSanté\nsecretariat@clinique-exemple.fr;${known[0]}\n`);
  service = new DirectoryService({ initial: { index, meta: { sourceKind: 'file', source: 'x', loadedAt: '' } }, mapping: table });
  const config = testConfig();
  store = openSqliteStore(config.store.sqlitePath);
  app = buildApp({ config, store, trustSpace: realTrustSpace2025(), directory: service, logger: false });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('POST /api/directory/lookup', () => {
  it('answers a batch, in order, known, unknown and invalid', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: [known[1].toUpperCase(), 'inconnu@medecin.mssante.fr', 'pas une adresse'] } });
    expect(res.statusCode).toBe(200);
    const { results } = res.json<{ results: Record<string, unknown>[] }>();
    expect(results[0]).toMatchObject({ address: known[1], found: true, source: 'annuaire', type: expect.stringMatching(/^(PER|ORG)$/) });
    expect(results[1]).toEqual({ address: 'inconnu@medecin.mssante.fr', found: false });
    expect(results[2]).toEqual({ address: 'pas une adresse', found: false, invalid: true });
  });

  it('gives the identity by default, and the full extraction record (31 columns) with record: true', async () => {
    const plain = (await app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: [known[1]] } })).json<{ results: Record<string, unknown>[] }>().results[0];
    expect(plain).toMatchObject({ address: known[1], found: true, source: 'annuaire' });
    expect(plain).not.toHaveProperty('record');
    const full = (await app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: [known[1]], record: true } })).json<{ results: Record<string, unknown>[] }>().results[0];
    expect(full).toEqual({ ...plain, record: expect.objectContaining({ address: known[1], type: plain.type }) });
    const bad = await app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: [known[1]], record: 'oui' } });
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses 501 addresses with BATCH_TOO_LARGE and an empty list with BATCH_EMPTY', async () => {
    const big = await app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: Array.from({ length: 501 }, () => known[0]) } });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ error: { code: 'BATCH_TOO_LARGE', message: "Trop d'adresses dans une seule requête : 501 reçues, 500 au plus.", details: { maxItems: 500, received: 501 } } });
    const empty = await app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: [] } });
    expect(empty.json()).toMatchObject({ error: { code: 'BATCH_EMPTY' } });
    const extra = await app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: ['a@b.fr'], x: 1 } });
    expect(extra.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('feeds the classifier: a directory address is DIRECTORY_MAILBOX', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/recipients/classify', payload: { addresses: [known[2]] } });
    expect(res.json()).toMatchObject({ results: [{ address: known[2], directory: { address: known[2] } }] });
  });
});

describe('GET /api/directory/search', () => {
  it('pages ranked results', async () => {
    const p1 = await app.inject({ method: 'GET', url: '/api/directory/search?q=dupont%20j&pageSize=3' });
    expect(p1.statusCode).toBe(200);
    const body = p1.json<{ total: number; page: number; pageSize: number; results: { name: string }[] }>();
    expect(body.total).toBeGreaterThan(3);
    expect(body.results).toHaveLength(3);
    for (const r of body.results) expect(r.name).toMatch(/^J.* DUPONT$/);
    const p2 = await app.inject({ method: 'GET', url: '/api/directory/search?q=dupont%20j&pageSize=3&page=2' });
    expect(p2.json<{ results: { name: string }[] }>().results[0]).not.toEqual(body.results[0]);
    const org = await app.inject({ method: 'GET', url: '/api/directory/search?q=secretariat&type=ORG&pageSize=5' });
    for (const r of org.json<{ results: { type: string }[] }>().results) expect(r.type).toBe('ORG');
  });

  it('refuses a one-letter query and a bad page size with typed errors', async () => {
    const short = await app.inject({ method: 'GET', url: '/api/directory/search?q=a' });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toEqual({ error: { code: 'DIRECTORY_QUERY_TOO_SHORT', message: expect.stringContaining('au moins 2 caractères'), details: { minLength: 2 } } });
    const bad = await app.inject({ method: 'GET', url: '/api/directory/search?q=dupont&pageSize=1000' });
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('POST /api/directory/suggest', () => {
  it('proposes the mapping table, then names, with confidence and evidence', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/directory/suggest', payload: { address: 'secretariat@clinique-exemple.fr' } });
    expect(res.json()).toMatchObject({ address: 'secretariat@clinique-exemple.fr', candidates: [{ address: known[0], confidence: 0.99, evidence: [{ code: 'MAPPING_TABLE' }] }] });
    const byName = await app.inject({ method: 'POST', url: '/api/directory/suggest', payload: { address: 'josiane.dupont@gmail.com', displayName: 'Josiane Dupont' } });
    const c = byName.json<{ candidates: { address: string; confidence: number; evidence: { code: string }[] }[] }>().candidates;
    expect(c.length).toBeGreaterThan(0);
    for (const x of c) expect(x.evidence.map((e) => e.code)).toContain('ADDRESS_NAME');
  });
});
