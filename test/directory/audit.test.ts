// Runtime: Node (jest). The directory API's audit trail on the real SQLite store: counts and codes per period, one
// row per action/outcome/code, never an address, a name or a query; written when the period ends or the app closes,
// not by the requests themselves.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/connector/app';
import { DirectoryAudit } from '../../src/connector/directory/audit';
import { loadExtractionFile } from '../../src/connector/directory/load-extraction';
import { DirectoryService } from '../../src/connector/directory/service';
import { openSqliteStore, type AuditRecord, type Store } from '../../src/connector/store';
import { realTrustSpace2025, testConfig } from '../helpers/connector';
import { standardExtraction } from './helpers';

let store: Store;
beforeEach(() => {
  store = openSqliteStore(testConfig().store.sqlitePath);
});
afterEach(async () => {
  await store.close();
});

const directoryRows = async (): Promise<AuditRecord[]> => (await store.recentAudit(100)).filter((r) => r.action.startsWith('directory_'));

describe('DirectoryAudit', () => {
  it('adds up a period in memory and writes one row per action/outcome/code when it ends', async () => {
    let t = 0;
    const audit = new DirectoryAudit({ sink: store, intervalMs: 60_000, clock: () => t });
    audit.lookup(50, 40, 2);
    audit.lookup(10, 10, 0);
    audit.search(20, 345);
    audit.search(0, 0);
    audit.rejected('directory_lookup', 'BATCH_TOO_LARGE', false);
    audit.rejected('directory_lookup', 'BATCH_TOO_LARGE', false);
    // nothing written during the period
    expect(await directoryRows()).toEqual([]);
    t = 60_000;
    audit.suggest(3); // the first call after the period writes it (this one included)
    await audit.flush();
    const rows = await directoryRows();
    const by = (action: string, outcome: string) => rows.filter((r) => r.action === action && r.outcome === outcome);
    expect(by('directory_lookup', 'ok')).toHaveLength(1);
    expect(by('directory_lookup', 'ok')[0].details).toEqual({ requests: 2, addresses: 60, found: 50, notFound: 8, invalid: 2, fhirFound: 0, fhirErrors: 0, periodMs: 60_000 });
    expect(by('directory_search', 'ok')[0].details).toEqual({ requests: 2, results: 20, matches: 345, empty: 1, periodMs: 60_000 });
    expect(by('directory_lookup', 'rejected')).toEqual([expect.objectContaining({ code: 'BATCH_TOO_LARGE', details: { requests: 2, periodMs: 60_000 } })]);
    expect(by('directory_suggest', 'ok')[0].details).toMatchObject({ requests: 1, candidates: 3, none: 0 });
    // a flush with nothing new writes nothing
    await audit.flush();
    expect(await directoryRows()).toHaveLength(rows.length);
  });

  it('keeps serving when the store refuses a row (the failure is reported, not thrown)', async () => {
    const errors: string[] = [];
    const audit = new DirectoryAudit({ sink: { appendAudit: async () => Promise.reject(new Error('disque plein')) }, onError: (e) => errors.push(e.message) });
    audit.lookup(1, 1, 0);
    await expect(audit.close()).resolves.toBeUndefined();
    expect(errors).toEqual(['disque plein']);
  });
});

describe('audit of the directory routes', () => {
  let app: FastifyInstance;
  let known: string[];
  let service: DirectoryService;
  beforeAll(async () => {
    const { index } = await loadExtractionFile(standardExtraction());
    known = index.addresses().slice(0, 5);
    service = new DirectoryService({ initial: { index, meta: { sourceKind: 'file', source: 'x', loadedAt: '' } } });
  });

  it('counts look-ups, searches, suggestions and refusals, with no address, name or query in the rows', async () => {
    app = buildApp({ config: testConfig(), store, trustSpace: realTrustSpace2025(), directory: service, logger: false });
    await app.ready();
    for (let k = 0; k < 3; k++) {
      const res = await app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: [known[0], 'inconnu@medecin.mssante.fr', 'pas une adresse'] } });
      expect(res.statusCode).toBe(200);
    }
    expect((await app.inject({ method: 'GET', url: '/api/directory/search?q=dupont%20j&pageSize=3' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/directory/search?q=a' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/directory/lookup', payload: { addresses: Array.from({ length: 501 }, () => known[1]) } })).statusCode).toBe(413);
    expect((await app.inject({ method: 'POST', url: '/api/directory/suggest', payload: { address: 'josiane.dupont@gmail.com', displayName: 'Josiane Dupont' } })).statusCode).toBe(200);
    // during the period: nothing written by the requests themselves
    expect(await directoryRows()).toEqual([]);
    await app.close(); // writes the period
    const rows = await directoryRows();
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/@|dupont|josiane|inconnu|pas une adresse/i);
    const find = (action: string, outcome: string, code?: string) => rows.find((r) => r.action === action && r.outcome === outcome && r.code === code);
    expect(find('directory_lookup', 'ok')?.details).toMatchObject({ requests: 3, addresses: 9, found: 3, notFound: 3, invalid: 3 });
    expect(find('directory_lookup', 'rejected', 'BATCH_TOO_LARGE')?.details).toMatchObject({ requests: 1 });
    expect(find('directory_search', 'ok')?.details).toMatchObject({ requests: 1, results: 3 });
    expect(find('directory_search', 'rejected', 'DIRECTORY_QUERY_TOO_SHORT')?.details).toMatchObject({ requests: 1 });
    expect(find('directory_suggest', 'ok')?.details).toMatchObject({ requests: 1 });
    for (const r of rows) expect(r.actor).toBe('api');
  });
});
