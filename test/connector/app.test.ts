// Runtime: Node (jest). The connector HTTP surface through app.inject(): real SQLite store, the real 2025-02-28
// liste blanche, the bundled sample directory. Error answers are asserted WHOLE.
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createClassifier, DEFAULT_POLICY } from '../../src/core';
import { buildApp, ERROR_CODES, errorCodesMarkdown, loggerOptions } from '../../src/connector/app';
import { DEMO_GATEWAYS, DEMO_INTERNAL_DOMAINS } from '../../src/connector/config';
import { packageVersion } from '../../src/connector/package-root';
import { MIGRATIONS, openSqliteStore } from '../../src/connector/store';
import { buildTestApp, realTrustSpace2025, REPO_ROOT, sampleDirectory, testConfig, type TestApp } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

/** A realistic mix: directory PER and ORG, gmail, patient (valid and invalid INS), gateway, internal, Apicrypt, look-alike, garbage. */
const MIX = [
  'Sophie Martin <sophie.martin@medecin.mssante.fr>',
  'contact.ouest@m2a-ouest.mssante.fr',
  'jean.dupont@gmail.com',
  '146026322000196@patient.mssante.fr',
  '146026322000195@patient.mssante.fr',
  'jean-marie.dupont=infirmier.mssante.fr@dsp.paris',
  'secretariat@m2a.paris',
  'dr.x@mssante.apicrypt.org',
  'dr.y@medical75.apicrypt.org',
  'a@mssante.fr.evil.com',
  'pas une adresse',
];

const classifyReq = (payload: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: '/api/recipients/classify',
  headers: { 'content-type': 'application/json', ...headers },
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});

function auditRows(t: TestApp): Record<string, unknown>[] {
  const db = new Database(t.config.store.sqlitePath, { readonly: true });
  try {
    return db.prepare('SELECT * FROM audit_log ORDER BY id').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe('API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /api/health', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      version: packageVersion(),
      trustSpace: { domains: 4944, generatedAt: '2025-02-28T15:42:07Z' },
      directory: { entries: 14 },
      store: { type: 'sqlite', schemaVersion: MIGRATIONS.length },
    });
  });

  it('POST /api/recipients/classify answers with the core classification of each address, in order', async () => {
    const res = await t.app.inject(classifyReq({ addresses: MIX }));
    expect(res.statusCode).toBe(200);
    const body = res.json() as { results: { kind: string; reason: string }[] };
    expect(body.results.map((r) => [r.kind, r.reason])).toEqual([
      ['mssante', 'DIRECTORY_MAILBOX'],
      ['mssante', 'DIRECTORY_MAILBOX'],
      ['external', 'NOT_IN_TRUST_SPACE'],
      ['patient', 'PATIENT_INS_VALID'],
      ['invalid', 'PATIENT_INS_INVALID'],
      ['gateway', 'GATEWAY_DECODED'],
      ['internal', 'INTERNAL_DOMAIN'],
      ['apicrypt-bridge', 'APICRYPT_BRIDGE_DOMAIN'],
      ['apicrypt', 'APICRYPT_NATIVE_DOMAIN'],
      ['external', 'LOOKALIKE_DOMAIN'],
      ['invalid', 'INVALID_SYNTAX'],
    ]);
    // nothing lost or added by the response schema: exactly what the core says
    const classify = createClassifier({ trustSpace: realTrustSpace2025(), gateways: DEMO_GATEWAYS, internalDomains: DEMO_INTERNAL_DOMAINS, directory: sampleDirectory().lookup });
    expect(body).toEqual(JSON.parse(JSON.stringify({ results: MIX.map((a) => classify(a)) })));
    expect(body.results[0]).toEqual({
      input: 'Sophie Martin <sophie.martin@medecin.mssante.fr>',
      address: 'sophie.martin@medecin.mssante.fr',
      displayName: 'Sophie Martin',
      kind: 'mssante',
      reason: 'DIRECTORY_MAILBOX',
      mailboxType: 'PER',
      directory: { address: 'sophie.martin@medecin.mssante.fr', mailboxType: 'PER', displayName: 'Sophie MARTIN', profession: 'Médecin' },
    });
    expect(body.results[5]).toMatchObject({ decodedAddress: 'jean-marie.dupont@infirmier.mssante.fr', gatewayId: 'dsp-paris' });
  });

  it('accepts exactly 500 addresses', async () => {
    const addresses = Array.from({ length: 500 }, (_, i) => `pro${i}@medecin.mssante.fr`);
    const res = await t.app.inject(classifyReq({ addresses }));
    expect(res.statusCode).toBe(200);
    expect((res.json() as { results: unknown[] }).results).toHaveLength(500);
  });

  it('audits each call with counts by kind, never an address', async () => {
    const before = auditRows(t).length;
    await t.app.inject(classifyReq({ addresses: MIX }));
    const rows = auditRows(t);
    expect(rows).toHaveLength(before + 1);
    const last = rows[rows.length - 1];
    expect(last).toMatchObject({ actor: 'api', action: 'classify', outcome: 'ok', code: null });
    expect(JSON.parse(last.details_json as string)).toEqual({
      count: 11,
      kinds: { mssante: 2, external: 2, patient: 1, invalid: 2, gateway: 1, internal: 1, 'apicrypt-bridge': 1, apicrypt: 1 },
    });
    for (const row of rows) expect(JSON.stringify(row)).not.toContain('@');
  });

  describe('errors (whole bodies)', () => {
    it('empty list → 400 BATCH_EMPTY', async () => {
      const res = await t.app.inject(classifyReq({ addresses: [] }));
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json()).toEqual({ error: { code: 'BATCH_EMPTY', message: "La liste d'adresses est vide : rien à vérifier." } });
    });

    it('501 addresses → 413 BATCH_TOO_LARGE', async () => {
      const addresses = Array.from({ length: 501 }, (_, i) => `p${i}@medecin.mssante.fr`);
      const res = await t.app.inject(classifyReq({ addresses }));
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({
        error: {
          code: 'BATCH_TOO_LARGE',
          message: "Trop d'adresses dans une seule requête : 501 reçues, 500 au plus.",
          details: { maxItems: 500, received: 501 },
        },
      });
    });

    it('10,000 addresses → 413 BATCH_TOO_LARGE, no crash', async () => {
      const addresses = Array.from({ length: 10_000 }, (_, i) => `p${i}@medecin.mssante.fr`);
      const res = await t.app.inject(classifyReq({ addresses }));
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({
        error: {
          code: 'BATCH_TOO_LARGE',
          message: "Trop d'adresses dans une seule requête : 10000 reçues, 500 au plus.",
          details: { maxItems: 500, received: 10_000 },
        },
      });
    });

    it('a non-string item → 400 BATCH_ITEM_NOT_A_STRING (no silent coercion of 42 to "42")', async () => {
      for (const bad of [42, null, { address: 'a@b.fr' }, ['a@b.fr'], true]) {
        const res = await t.app.inject(classifyReq({ addresses: ['sophie.martin@medecin.mssante.fr', bad] }));
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({
          error: {
            code: 'BATCH_ITEM_NOT_A_STRING',
            message: "L'élément n° 1 de « addresses » n'est pas un texte : chaque élément doit être une adresse.",
            details: { index: 1 },
          },
        });
      }
    });

    it('addresses not a list → 400 BATCH_NOT_A_LIST', async () => {
      const res = await t.app.inject(classifyReq({ addresses: 'sophie.martin@medecin.mssante.fr' }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'BATCH_NOT_A_LIST', message: 'Le champ « addresses » doit être une liste d\'adresses.' } });
    });

    it('missing body → 400 BODY_MISSING (with or without a JSON content type)', async () => {
      const expected = { error: { code: 'BODY_MISSING', message: 'Le corps de la requête est vide : un objet JSON est attendu.' } };
      const bare = await t.app.inject({ method: 'POST', url: '/api/recipients/classify' });
      expect(bare.statusCode).toBe(400);
      expect(bare.json()).toEqual(expected);
      const typed = await t.app.inject({ method: 'POST', url: '/api/recipients/classify', headers: { 'content-type': 'application/json' } });
      expect(typed.statusCode).toBe(400);
      expect(typed.json()).toEqual(expected);
    });

    it('missing "addresses" field → 400 VALIDATION_FAILED naming the field', async () => {
      const res = await t.app.inject(classifyReq({ adresses: ['a@b.fr'] }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'La requête ne respecte pas le format attendu : addresses : champ obligatoire manquant.',
          details: { errors: [{ field: 'addresses', rule: 'required', problem: 'champ obligatoire manquant' }] },
        },
      });
    });

    it('an unknown field → 400 VALIDATION_FAILED (not silently dropped)', async () => {
      const res = await t.app.inject(classifyReq({ addresses: ['a@b.fr'], subject: 'CRH de M. X' }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'La requête ne respecte pas le format attendu : subject : champ inconnu : retirez-le.',
          details: { errors: [{ field: 'subject', rule: 'additionalProperties', problem: 'champ inconnu : retirez-le' }] },
        },
      });
    });

    it('an item over 1000 characters → 400 VALIDATION_FAILED, without echoing it', async () => {
      const long = `${'a'.repeat(1001)}@medecin.mssante.fr`;
      const res = await t.app.inject(classifyReq({ addresses: ['ok@medecin.mssante.fr', long] }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'La requête ne respecte pas le format attendu : addresses[1] : 1000 caractères au plus.',
          details: { errors: [{ field: 'addresses[1]', rule: 'maxLength', problem: '1000 caractères au plus' }] },
        },
      });
      expect(res.body).not.toContain('aaaa');
    });

    it('a JSON array or string as body → 400 VALIDATION_FAILED', async () => {
      const res = await t.app.inject(classifyReq('["a@b.fr"]'));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'La requête ne respecte pas le format attendu : (corps) : doit être un objet.',
          details: { errors: [{ field: '(corps)', rule: 'type', problem: 'doit être un objet' }] },
        },
      });
    });

    it('malformed JSON → 400 BODY_NOT_JSON', async () => {
      const res = await t.app.inject(classifyReq('{"addresses": ["a@b.fr",'));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'BODY_NOT_JSON', message: "Le corps de la requête n'est pas du JSON valide." } });
    });

    it('wrong content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const expected = { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Type de contenu non pris en charge : seul application/json est accepté.' } };
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await t.app.inject({ method: 'POST', url: '/api/recipients/classify', headers: { 'content-type': type }, payload: 'addresses=a@b.fr' });
        expect(res.statusCode).toBe(415);
        expect(res.json()).toEqual(expected);
      }
    });

    it('body over 1 MiB → 413 BODY_TOO_LARGE', async () => {
      const payload = JSON.stringify({ addresses: [`${'x'.repeat(1024 * 1024)}@a.fr`] });
      const res = await t.app.inject(classifyReq(payload));
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({
        error: { code: 'BODY_TOO_LARGE', message: 'Le corps de la requête dépasse 1048576 octets.', details: { maxBytes: 1048576 } },
      });
    });

    it('unknown route or method → 404 NOT_FOUND', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/nothing?x=1' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Ressource introuvable : GET /api/nothing.' } });
      const wrongMethod = await t.app.inject({ method: 'GET', url: '/api/recipients/classify' });
      expect(wrongMethod.statusCode).toBe(404);
      expect(wrongMethod.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Ressource introuvable : GET /api/recipients/classify.' } });
    });

    it('rejected calls are audited too, with their code', async () => {
      await t.app.inject(classifyReq({ addresses: [] }));
      const rows = auditRows(t);
      expect(rows[rows.length - 1]).toMatchObject({ action: 'classify', outcome: 'rejected', code: 'BATCH_EMPTY', details_json: '{}' });
    });
  });

  it('GET /api/policy: the public part of the configuration', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/policy' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      policy: { ...DEFAULT_POLICY },
      gateways: [{ id: 'dsp-paris', label: 'Passerelle Exchange – Medimail (exemple M2A-DAC)', domain: 'dsp.paris', localTemplate: '{local}={domain}' }],
      internalDomains: ['m2a.paris'],
    });
  });
});

describe('error mapper', () => {
  it('an unexpected error → 500 INTERNAL, no internals leaked, logged', async () => {
    const config = testConfig();
    const store = openSqliteStore(config.store.sqlitePath);
    const lines: string[] = [];
    const logger = pino(loggerOptions('info') as pino.LoggerOptions, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
    const app = buildApp({ config, store, trustSpace: realTrustSpace2025(), directory: sampleDirectory(), logger });
    app.get('/boom', async () => {
      throw new Error('SQLITE_CORRUPT at /var/lib/secret.db');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: ERROR_CODES.INTERNAL.message } });
    expect(res.body).not.toContain('secret');
    expect(lines.join('')).toContain('internal_error');
    await app.close();
    await store.close();
  });

  it('every code of ERROR_CODES has a status, a French message and a fix', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      expect(info.status).toBeGreaterThanOrEqual(400);
      expect(info.message.length).toBeGreaterThan(10);
      expect(info.fix.length).toBeGreaterThan(10);
    }
    const md = errorCodesMarkdown().split('\n');
    expect(md).toHaveLength(Object.keys(ERROR_CODES).length + 2);
    expect(md).toContain(`| \`BATCH_TOO_LARGE\` | 413 | ${ERROR_CODES.BATCH_TOO_LARGE.message} | ${ERROR_CODES.BATCH_TOO_LARGE.fix} |`);
  });
});

describe('logging', () => {
  it('logs neither bodies, query strings nor credentials', async () => {
    const config = testConfig();
    const store = openSqliteStore(config.store.sqlitePath);
    const lines: string[] = [];
    const logger = pino(loggerOptions('trace') as pino.LoggerOptions, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
    const app = buildApp({ config, store, trustSpace: realTrustSpace2025(), directory: sampleDirectory(), logger });
    await app.inject(classifyReq({ addresses: ['sophie.martin@medecin.mssante.fr'] }, { authorization: 'Bearer secret-token', cookie: 's=1' }));
    await app.inject({ ...classifyReq({ addresses: [] }), url: '/api/recipients/classify?who=jean.dupont@gmail.com' });
    await app.close();
    await store.close();
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(2);
    expect(text).toContain('/api/recipients/classify');
    expect(text).not.toContain('@');
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('s=1');
  });
});

describe('audit failure', () => {
  it('is fail-open: classification still answers when the audit cannot be written', async () => {
    const t = await buildTestApp();
    await t.store.close();
    const res = await t.app.inject(classifyReq({ addresses: ['sophie.martin@medecin.mssante.fr'] }));
    expect(res.statusCode).toBe(200);
    await t.app.close();
  });
});

describe('static files', () => {
  function makeStaticDir(): string {
    const dir = makeTempDir('mss-outlook-dist-');
    writeFileSync(join(dir, 'taskpane.html'), '<!doctype html><title>Volet</title>');
    writeFileSync(join(dir, 'commands.html'), '<!doctype html><title>Commandes</title>');
    writeFileSync(join(dir, 'launchevent.js'), 'Office.actions.associate("onMessageSendHandler", function () {});');
    writeFileSync(join(dir, 'harness.html'), '<!doctype html><title>Harnais</title>');
    mkdirSync(join(dir, 'harness'));
    writeFileSync(join(dir, 'harness', 'harness.js'), 'console.log("harnais");');
    mkdirSync(join(dir, 'assets'));
    copyFileSync(join(REPO_ROOT, 'assets', 'icon-32.png'), join(dir, 'assets', 'icon-32.png'));
    return dir;
  }

  it('serves the built add-in; icons WITHOUT Cache-Control; pages revalidated', async () => {
    const staticDir = makeStaticDir();
    const t = await buildTestApp({ addin: { staticDir } });
    const icon = await t.app.inject({ method: 'GET', url: '/assets/icon-32.png' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toBe('image/png');
    expect(icon.headers['cache-control']).toBeUndefined();
    expect(icon.rawPayload.equals(readFileSync(join(staticDir, 'assets', 'icon-32.png')))).toBe(true);

    const page = await t.app.inject({ method: 'GET', url: '/taskpane.html' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('Volet');

    const launch = await t.app.inject({ method: 'GET', url: '/launchevent.js' });
    expect(launch.statusCode).toBe(200);
    expect(launch.headers['content-type']).toMatch(/^(application|text)\/javascript/);

    const missing = await t.app.inject({ method: 'GET', url: '/nothing.html' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Ressource introuvable : GET /nothing.html.' } });

    const traversal = await t.app.inject({ method: 'GET', url: '/../../package.json' });
    expect(traversal.statusCode).toBe(404);
    const encoded = await t.app.inject({ method: 'GET', url: '/%2e%2e/%2e%2e/package.json' });
    expect([403, 404]).toContain(encoded.statusCode);
    expect(encoded.body).not.toContain('"dependencies"');
    await t.close();
  });

  it('harness enabled: / redirects to /harness.html, which is served with its files', async () => {
    const t = await buildTestApp({ addin: { staticDir: makeStaticDir() }, harness: { enabled: true } });
    const root = await t.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/harness.html');
    expect((await t.app.inject({ method: 'GET', url: '/harness.html' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/harness/harness.js' })).statusCode).toBe(200);
    await t.close();
  });

  it('harness disabled: /harness.html and /harness/* are 404, / redirects to /taskpane.html', async () => {
    const t = await buildTestApp({ addin: { staticDir: makeStaticDir() }, harness: { enabled: false } });
    for (const url of ['/harness.html', '/harness/harness.js']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: `Ressource introuvable : GET ${url}.` } });
    }
    const root = await t.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/taskpane.html');
    expect((await t.app.inject({ method: 'GET', url: '/taskpane.html' })).statusCode).toBe(200);
    await t.close();
  });

  it('serves office.js and the files it loads under /office-js/', async () => {
    const t = await buildTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/office-js/office.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(readFileSync(join(REPO_ROOT, 'node_modules', '@microsoft', 'office-js', 'dist', 'office.js'), 'utf8'));
    const loaded = await t.app.inject({ method: 'GET', url: '/office-js/outlook-win32-16.02.js' });
    expect(loaded.statusCode).toBe(200);
    await t.close();
  });

  it('without a built add-in, the API works and / explains in French to run npm run build', async () => {
    const t = await buildTestApp({ addin: { staticDir: join(makeTempDir(), 'dist-absent') } });
    const root = await t.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(503);
    expect(root.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(root.body).toContain('<html lang="fr">');
    expect(root.body).toContain('npm run build');
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/taskpane.html' })).statusCode).toBe(404);
    await t.close();
  });
});
