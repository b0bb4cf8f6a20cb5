// Runtime: Node (jest). Pro Santé Connect wiring of the connector: the `psc.*` settings are validated (the secret is
// environment-only), a configured connector serves /psc/start (authorization code + PKCE S256 toward the issuer it
// discovered), and an unreachable PSC at start-up leaves the rest of the connector working (SC.MSS/CONF.08).
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../src/connector/config';
import { startConnector, type RunningConnector } from '../../src/connector/server';
import { makeTempDir } from '../helpers/tmp';
import { makePki } from '../transport/helpers/pki';

function problemsOf(env: Record<string, string>, file?: object): string[] {
  const dir = makeTempDir('mss-psc-config-');
  let filePath: string | undefined;
  if (file) {
    filePath = join(dir, 'config.json');
    require('node:fs').writeFileSync(filePath, JSON.stringify(file));
  }
  try {
    loadConfig({ env: { MSS_DATA_DIR: join(dir, 'data'), ...env }, cwd: dir, ...(filePath ? { file: filePath } : {}) });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
}

describe('psc.* settings', () => {
  it('absent: no PSC (the embedded default)', () => {
    const dir = makeTempDir('mss-psc-config-');
    expect(loadConfig({ env: { MSS_DATA_DIR: join(dir, 'data') }, cwd: dir }).psc).toBeUndefined();
  });
  it('issuer + client id: redirect URI defaults to <publicUrl>/psc/callback; the secret comes from the environment', () => {
    const dir = makeTempDir('mss-psc-config-');
    const c = loadConfig({
      env: { MSS_DATA_DIR: join(dir, 'data'), MSS_PSC_ISSUER: 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet', MSS_PSC_CLIENT_ID: 'mss-outlook', MSS_PSC_CLIENT_SECRET: 's3cret' },
      cwd: dir,
    });
    expect(c.psc).toEqual({
      issuer: 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet',
      clientId: 'mss-outlook',
      clientSecret: 's3cret',
      redirectUri: 'https://localhost:3000/psc/callback',
      scope: 'openid scope_all',
      acrValues: 'eidas1',
      ticketTtlSeconds: 120,
      allowUserQuery: false,
      waitRecheckSeconds: 15,
    });
  });
  it.each([
    [{ MSS_PSC_ISSUER: 'https://psc.example.fr' }, undefined, /psc\.clientId \(MSS_PSC_CLIENT_ID\) manque/],
    [{ MSS_PSC_CLIENT_ID: 'x' }, undefined, /psc\.issuer \(MSS_PSC_ISSUER\) manque/],
    [{ MSS_PSC_ISSUER: 'http://psc.example.fr', MSS_PSC_CLIENT_ID: 'x' }, undefined, /psc\.issuer : doit être une URL https:\/\//],
    [{}, { psc: { issuer: 'https://psc.example.fr', clientId: 'x', clientSecret: 'oops' } }, /psc\.clientSecret : le secret ne se met pas dans le fichier.*MSS_PSC_CLIENT_SECRET/],
    [{ MSS_PSC_ISSUER: 'https://psc.example.fr', MSS_PSC_CLIENT_ID: 'a b' }, undefined, /psc\.clientId : doit être l'identifiant du client/],
  ])('%j %j is refused with a message naming the setting and the fix', (env, file, expected) => {
    expect(problemsOf(env as Record<string, string>, file).join('\n')).toMatch(expected);
  });
});

describe('connector with psc configured', () => {
  let op: Server;
  let issuer: string;
  const running: RunningConnector[] = [];

  beforeAll(async () => {
    // the part of an OIDC provider that /psc/start needs: discovery
    op = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({
          issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'], code_challenge_methods_supported: ['S256'],
        }));
      } else { res.statusCode = 404; res.end(); }
    });
    await new Promise<void>((resolve) => op.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(op.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const r of running) await r.close();
    await new Promise((resolve) => op.close(resolve));
  });

  async function start(env: Record<string, string>, lines: string[]): Promise<RunningConnector> {
    const dir = makeTempDir('mss-psc-run-');
    const base = loadConfig({ env: { MSS_DATA_DIR: join(dir, 'data'), ...env }, cwd: dir });
    const config = { ...base, server: { ...base.server, host: '127.0.0.1', port: 0 } }; // a free port, as server.test does
    const r = await startConnector({ config, logger: false, print: (l) => lines.push(l) });
    running.push(r);
    return r;
  }

  it('serves /psc/start: a redirect to the discovered authorization endpoint with PKCE S256', async () => {
    const lines: string[] = [];
    // the ?user= form needs the development setting (test/connector/psc-session.test.ts: the ticket flow)
    const refused = await start({ MSS_PSC_ISSUER: issuer, MSS_PSC_CLIENT_ID: 'mss-outlook' }, []);
    expect((await refused.app.inject({ method: 'GET', url: '/psc/start?user=u1' })).statusCode).toBe(400);
    const r = await start({ MSS_PSC_ISSUER: issuer, MSS_PSC_CLIENT_ID: 'mss-outlook', MSS_PSC_ALLOW_USER_QUERY: 'true' }, lines);
    const res = await r.app.inject({ method: 'GET', url: '/psc/start?user=u1' });
    expect(res.statusCode).toBe(302);
    const to = new URL(res.headers.location as string);
    expect(`${to.origin}${to.pathname}`).toBe(`${issuer}/auth`);
    expect(to.searchParams.get('client_id')).toBe('mss-outlook');
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('redirect_uri')).toBe('https://localhost:3000/psc/callback');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(lines.join('\n')).toContain('Pro Santé Connect : ');
  });

  it('Espace de Confiance: with psc.clientCertPath the connector authenticates to PSC by mutual TLS and says so; the passphrase never comes from the file', async () => {
    const pki = makePki();
    const dir = makeTempDir('mss-psc-cert-');
    const p12 = join(dir, 'structure.p12');
    writeFileSync(p12, pki.clientP12);
    const lines: string[] = [];
    await start({ MSS_PSC_ISSUER: issuer, MSS_PSC_CLIENT_ID: 'mss-outlook', MSS_PSC_CLIENT_CERT: p12, MSS_PSC_CLIENT_CERT_PASSPHRASE: pki.clientP12Pass }, lines);
    expect(lines.join('\n')).toMatch(/Pro Santé Connect : .*TLS mutuel IGC-Santé/);
    expect(lines.join('\n')).not.toContain(pki.clientP12Pass);
    expect(problemsOf({ MSS_PSC_ISSUER: issuer, MSS_PSC_CLIENT_ID: 'x', MSS_PSC_CLIENT_CERT: p12, MSS_PSC_CLIENT_SECRET: 's' }).join('\n')).toMatch(/choisissez un seul mode d'authentification/);
    expect(problemsOf({}, { psc: { issuer, clientId: 'x', clientCertPath: p12, clientCertPassphrase: 'oops' } }).join('\n')).toMatch(/psc\.clientCertPassphrase : .*MSS_PSC_CLIENT_CERT_PASSPHRASE/);
  });

  it('PSC unreachable at start-up: the connector still starts, without the PSC routes, and says so', async () => {
    const lines: string[] = [];
    const r = await start({ MSS_PSC_ISSUER: 'http://127.0.0.1:9/nope', MSS_PSC_CLIENT_ID: 'mss-outlook' }, lines);
    expect((await r.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    expect((await r.app.inject({ method: 'GET', url: '/psc/start?user=u1' })).statusCode).toBe(404);
    expect(lines.join('\n')).toMatch(/Pro Santé Connect injoignable au démarrage/);
  });
});
