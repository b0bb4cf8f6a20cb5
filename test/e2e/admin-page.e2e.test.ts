// Runtime: Node (jest, `npm run test:e2e`). The administrators' status page end to end: the REAL compiled connector
// (test/e2e/connector-process.ts) with a structure configuration file naming an administrator, its production Entra
// verifier fed with the test identity provider's key set (test/e2e/test-idp.ts, JWKS served over TLS on 127.0.0.1),
// an operator stand-in (smtp-server with STARTTLS and a throw-away IGC-Santé PKI, CRLs in the connector's data folder
// as the worker keeps them), the real liste blanche of 2025-02-28 and the sample directory. The administrator signs
// in with the test IdP (authorization code + PKCE), pastes the token in the page (as on the traces page), and headless
// Debian Chromium checks the figures shown against the real store, runs axe-core (serious/critical = fail), sees a
// changed configuration file applied on the page without restart, and an invalid one refused with the setting named.
// The screenshot of the guide is written to docs/images/admin-page.png.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { openSqliteStore } from '../../src/connector/store';
import { makePki, type TestPki } from '../transport/helpers/pki';
import { REPO_ROOT, startConnectorProcess, type ConnectorProcess } from './connector-process';
import { createTestIdp, IDP_AUDIENCE, IDP_CLIENT_ID, IDP_ORIGIN, IDP_SCOPE, IDP_TENANT, IDP_USER, type TestIdp } from './test-idp';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SCREENSHOT = join(REPO_ROOT, 'docs', 'images', 'admin-page.png');
const LISTE_BLANCHE = join(REPO_ROOT, 'test', 'fixtures', 'listeblanche', 'listeblanchemssante_2025-02-28.xml');
const BOX = 'secretariat@m2a-dac75-ouest.mssante.fr';

let pki: TestPki;
let tmp: string;
let idp: TestIdp;
let jwksServer: Server;
let operator: SMTPServer;
let connector: ConnectorProcess;
let browser: Browser;
let context: BrowserContext;
let configFile: string;
const outsideRequests: string[] = [];

/** The structure configuration file (the administrator edits it; the connector re-reads it). */
function structure(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    entra: { tenantId: IDP_TENANT, audience: IDP_AUDIENCE, jwksUrl: `https://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/keys` },
    admin: { users: [IDP_USER.preferredUsername] },
    senders: [{ user: IDP_USER.preferredUsername, mailboxes: [BOX] }],
    policy: { healthDataToNonMssante: 'warn' },
    gateways: [{ id: 'dsp-paris', label: 'Passerelle Exchange – Medimail (exemple M2A-DAC)', domain: 'dsp.paris', localTemplate: '{local}={domain}' }],
    internalDomains: ['m2a.paris'],
    trustSpace: { listeBlanchePath: LISTE_BLANCHE },
    outbound: {
      smtpHost: '127.0.0.1',
      smtpPort: (operator.server.address() as AddressInfo).port,
      smtpServername: 'localhost',
      trustAnchorsPath: join(tmp, 'anchors.pem'),
      productReference: 'DEV935997',
    },
    ...over,
  };
}

const writeStructure = (o: Record<string, unknown>) => writeFileSync(configFile, JSON.stringify(o, null, 2));

beforeAll(async () => {
  pki = makePki();
  tmp = mkdtempSync(join(tmpdir(), 'mss-e2e-admin-'));
  writeFileSync(join(tmp, 'anchors.pem'), pki.anchors);
  idp = createTestIdp();
  jwksServer = createServer({ key: pki.serverKey, cert: pki.serverChain }, (req, res) => {
    if (req.url === '/keys') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(idp.jwks()));
    else res.writeHead(404).end();
  });
  jwksServer.listen(0, '127.0.0.1');
  await once(jwksServer, 'listening');
  operator = new SMTPServer({ key: pki.serverKey, cert: pki.serverChain, authOptional: true, logger: false });
  operator.on('error', () => undefined);
  operator.listen(0, '127.0.0.1');
  await once(operator.server, 'listening');

  configFile = join(tmp, 'mss-outlook.json');
  writeStructure(structure());
  connector = await startConnectorProcess({ env: { MSS_CONFIG: configFile, MSS_HARNESS: 'false', NODE_EXTRA_CA_CERTS: join(tmp, 'anchors.pem') } });
  // the IGC-Santé CRLs the connector keeps under <dataDir>/crl (what the worker and the probe check revocation with)
  mkdirSync(join(connector.dataDir, 'crl'), { recursive: true });
  writeFileSync(join(connector.dataDir, 'crl', 'racine.crl'), pki.rootCrl);
  writeFileSync(join(connector.dataDir, 'crl', 'intermediaire.crl'), pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 7 * 86_400_000)));

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 1000 }, locale: 'fr-FR' });
  // Newest route first (Playwright): the catch-all abort, then the test IdP.
  await context.route(
    (url) => !url.href.startsWith(`${connector.url}/`) && url.protocol !== 'about:',
    (route) => {
      outsideRequests.push(route.request().url());
      return route.abort();
    },
  );
  await idp.install(context);
});

afterAll(async () => {
  await browser?.close();
  await connector?.stop();
  await new Promise<void>((resolve) => (operator ? operator.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (jwksServer ? jwksServer.close(() => resolve()) : resolve()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The administrator signs in with the test identity provider (authorization code + PKCE S256) and gets a token. */
async function signIn(page: Page): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = `${connector.url}/admin/status.html`;
  const q = new URLSearchParams({ client_id: IDP_CLIENT_ID, response_type: 'code', redirect_uri: redirectUri, scope: IDP_SCOPE, code_challenge: challenge, code_challenge_method: 'S256', state: 'admin' });
  await page.goto(`${IDP_ORIGIN}/authorize?${q.toString()}`);
  const code = new URL(page.url()).searchParams.get('code');
  expect(code).toMatch(/^[0-9a-f]{32}$/);
  // the token request, from a page without the status page's CSP (connect-src 'self')
  await page.goto('about:blank');
  const token = await page.evaluate(
    async (a) => {
      const r = await fetch(`${a.idp}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code: a.code, code_verifier: a.verifier, redirect_uri: a.redirectUri, client_id: a.clientId }).toString() });
      return ((await r.json()) as { access_token: string }).access_token;
    },
    { idp: IDP_ORIGIN, code: code ?? '', verifier, redirectUri, clientId: IDP_CLIENT_ID },
  );
  expect(idp.verify(token)).toMatchObject({ tid: IDP_TENANT, preferred_username: IDP_USER.preferredUsername });
  return token;
}

async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(() => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

const text = async (page: Page, testid: string) => ((await page.getByTestId(testid).first().textContent()) ?? '').trim();

test('the status page: figures, accessibility, a configuration reload seen on the page, screenshot', async () => {
  // two messages in the connector's queue, written with the store API on its SQLite base, due in an hour (so that the
  // connector's own worker leaves them alone); this test plays the worker: message 1 remis à l'opérateur then
  // distribué by its DSN, message 2 back in the queue, en attente
  const store = openSqliteStore(join(connector.dataDir, 'mss-outlook.sqlite'));
  try {
    const later = Date.now() + 3_600_000;
    for (const i of [1, 2]) {
      await store.enqueueOutbound({ id: `00000000-0000-4000-8000-00000000000${i}`, mailbox: BOX, authorId: IDP_USER.oid, idempotencyKey: `e2e-${i}`, requestHash: `h${i}`, messageId: `<e2e-${i}@m2a-dac75-ouest.mssante.fr>`, payload: '{}', recipientsCount: 1, now: later });
    }
    const claimed = await store.claimOutbound({ workerId: 'e2e', now: later + 1000, leaseMs: 60_000, limit: 2 });
    expect(claimed.map((j) => j.id).sort()).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
    await store.completeOutbound('00000000-0000-4000-8000-000000000001', 'e2e', { status: 'accepted', response: '250 2.0.0 Ok: queued', now: Date.now() });
    await store.completeOutbound('00000000-0000-4000-8000-000000000002', 'e2e', { status: 'queued', nextAttemptAt: later, error: { code: 'CONNECTION_REFUSED', message: 'Serveur de l\'opérateur injoignable : nouvel essai plus tard.' }, now: Date.now() });
    await store.recordReceipts('00000000-0000-4000-8000-000000000001', [
      { recipient: 'dr.x@medecin.mssante.fr', type: 'dsn', action: 'delivered', status: '2.0.0', state: 'delivered', explanation: 'Message remis au serveur de l\'opérateur du destinataire.', receiptKey: '<dsn-e2e@operateur.mssante.fr>', receivedAt: Date.now() - 60_000 },
    ], Date.now());
  } finally {
    await store.close();
  }

  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const token = await signIn(page);

  await page.goto(`${connector.url}/admin/status.html`);
  await expect(page.title()).resolves.toBe('État du connecteur – mss-outlook');
  await page.getByLabel('Jeton d\'accès (administrateur)').fill(token);
  await page.getByRole('button', { name: 'Afficher l\'état' }).click();
  await page.getByTestId('annuaire-taille').waitFor();

  // the figures
  expect(await text(page, 'annuaire-taille')).toBe('14');
  expect(await text(page, 'liste-blanche-taille')).toBe('4 944');
  expect(await text(page, 'liste-blanche-date')).toBe('28/02/2025 15:42:07 UTC');
  expect(await text(page, 'file-total')).toBe('2');
  const perStatus = await Promise.all(['queued', 'sending', 'accepted', 'delivered', 'read', 'failed'].map((s) => text(page, `file-${s}`)));
  expect(perStatus.reduce((n, v) => n + Number(v), 0)).toBe(2);
  expect(await text(page, 'file-queued')).toBe('1');
  expect(await text(page, 'file-delivered')).toBe('1');
  expect(await text(page, 'operateur')).toMatch(/127\.0\.0\.1:\d+ : joignable — Joignable : STARTTLS puis TLSv1\.2 \(ECDHE-RSA-AES(128|256)-(GCM-)?SHA(256|384)\), certificat du serveur vérifié avec les autorités IGC-Santé\./);
  const receipts = page.getByTestId('accuses');
  await expect(receipts.locator('tbody tr').count()).resolves.toBe(1);
  expect(await receipts.locator('tbody tr').textContent()).toMatch(/DSNdistribué2\.0\.0secretariat@m2a-dac75-ouest\.mssante\.fr00000000-0000-4000-8000-000000000001Message remis/);
  expect(await page.content()).not.toContain('dr.x@medecin.mssante.fr');
  expect(await text(page, 'config-version')).toBe('1');
  expect(await text(page, 'rechargement')).toMatch(/^Aucun rechargement depuis le démarrage/);
  await expect(page.locator('tr[data-key="policy"] td').first().textContent()).resolves.toContain('"healthDataToNonMssante":"warn"');
  await expect(page.locator('tr[data-key="policy"] td').nth(1).textContent()).resolves.toBe('fichier');
  await expect(page.locator('tr[data-key="dataDir"] td').nth(1).textContent()).resolves.toBe('variable d\'environnement MSS_DATA_DIR');

  await expect(axeViolations(page)).resolves.toEqual([]);

  // the administrator edits the file: the connector re-reads it (file watcher), the page shows it applied
  writeStructure(structure({ policy: { healthDataToNonMssante: 'block' } }));
  const deadline = Date.now() + 20_000;
  while ((await text(page, 'config-version')) !== '2' && Date.now() < deadline) {
    await page.waitForTimeout(300);
    await page.getByRole('button', { name: 'Afficher l\'état' }).click();
    await page.getByTestId('config-version').waitFor();
  }
  expect(await text(page, 'config-version')).toBe('2');
  expect(await text(page, 'rechargement')).toMatch(/\(modification du fichier\) : appliqué — réglages modifiés : policy\.healthDataToNonMssante\./);
  await expect(page.locator('tr[data-key="policy"] td').first().textContent()).resolves.toContain('"healthDataToNonMssante":"block"');
  // and what the add-in fetches changed too, without restart
  const policy = await page.evaluate(async () => (await (await fetch('/api/policy')).json()) as { policy: Record<string, string> });
  expect(policy.policy.healthDataToNonMssante).toBe('block');
  await expect(axeViolations(page)).resolves.toEqual([]);
  mkdirSync(join(REPO_ROOT, 'docs', 'images'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });

  // "Recharger la configuration" with an invalid file: refused, the setting named, the previous configuration kept
  writeStructure(structure({ policy: { healthDataToNonMssante: 'block' }, internalDomains: ['m2a paris'] }));
  await page.getByRole('button', { name: 'Recharger la configuration' }).click();
  await page.getByTestId('rechargement-erreurs').waitFor();
  expect(await page.locator('#etat').textContent()).toBe('La configuration relue est invalide : elle n\'est pas appliquée, la configuration précédente reste en service.');
  expect(await text(page, 'rechargement-erreurs')).toMatch(/^internalDomains\[0\] : doit être un nom de domaine valide \(ex\. « m2a\.paris »\) \(reçu « m2a paris »\)\. Corrigez internalDomains\[0\] dans le fichier de configuration/);
  expect(await text(page, 'config-version')).toBe('2');
  await expect(axeViolations(page)).resolves.toEqual([]);

  // fixed, and reloaded from the button
  writeStructure(structure({ policy: { healthDataToNonMssante: 'block' } }));
  await page.getByRole('button', { name: 'Recharger la configuration' }).click();
  await page.waitForFunction(() => /^Configuration rechargée \(version \d+\)\.$/.test(document.getElementById('etat')?.textContent ?? ''));
  expect(Number(await text(page, 'config-version'))).toBeGreaterThanOrEqual(3);
  expect(await page.getByTestId('rechargement-erreurs').count()).toBe(0);

  expect(errors).toEqual([]);
  expect(outsideRequests).toEqual([]);
  expect(connector.output()).toMatch(/Configuration rechargée \(modification du fichier, version 2\) : appliqué : policy\.healthDataToNonMssante\./);
});
