// Runtime: Node (jest, `npm run test:e2e`). The task pane's fixes and "Envoyer en MSSanté" end to end through the
// harness, against the REAL pipeline: the compiled connector (classification, policy, directory, GET /api/auth/config,
// GET /api/mailboxes, POST /api/messages, GET /api/messages/:id) with `entra` pointed at this run's test identity
// provider key set (served on 127.0.0.1 over TLS from the throw-away PKI), `senders` granting the test user an
// applicative mailbox, and the compiled stand-alone outbound worker (worker-main.js) sharing the connector's SQLite
// queue and relaying over STARTTLS with the IGC-Santé-like PKI and the mailbox's PKCS#12 (an applicative mailbox needs
// no Pro Santé Connect) to a local smtp-server peer that keeps every message it accepts. Headless Debian Chromium runs
// the BUILT task pane over the fake Office host; what the fake host recorded (recipients, HTML body, discarded draft)
// and what the peer received are asserted (X-MSS-* headers, IHE XDM archive). Pro Santé Connect runs for real on the
// connector (POST/GET /api/psc/session, /psc/start, /psc/callback) against the transport tests' PSC stand-in
// (test/transport/helpers/fake-psc.ts). The run also writes the README's screenshots (docs/images/taskpane-*.png).
// Simulated, and only these: the identity provider's web pages (test-idp.ts, Playwright routes), the PSC wallet page
// (the stand-in signs the user in for the authorization URL the connector built), and office.js in the dialog page
// (the harness's fake Office host, as for the pane).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { startFakePsc, type FakePsc } from '../transport/helpers/fake-psc';
import { makePki, type TestPki } from '../transport/helpers/pki';
import { REPO_ROOT, startConnectorProcess, type ConnectorProcess } from './connector-process';
import { createTestIdp, IDP_AUDIENCE, IDP_CLIENT_ID, IDP_ORIGIN, IDP_SCOPE, IDP_TENANT, IDP_USER, type TestIdp } from './test-idp';

const ARTIFACTS = join(REPO_ROOT, 'artifacts');
/** Committed screenshots shown in the README (light and dark, French). */
const DOC_IMAGES = join(REPO_ROOT, 'docs', 'images');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WORKER = join(REPO_ROOT, 'build', 'src', 'connector', 'outbound', 'worker-main.js');
const SAMPLE_DIRECTORY = join(REPO_ROOT, 'assets', 'directory', 'annuaire-exemple.txt');

const GATEWAY = 'jean.dupont=medecin.mssante.fr@dsp.paris';
const DECODED = 'jean.dupont@medecin.mssante.fr';
const GMAIL = 'sophie.martin@gmail.com';
const SUGGESTED = 'sophie.martin@medecin.mssante.fr';
const OTHER_MSSANTE = 'jean-marie.dupont@infirmier.mssante.fr';
/** The applicative mailbox the test user may send from (typed APP by the directory line added below). */
const SENDER = 'dac75.coordination@m2a-ouest.mssante.fr';
const SENDER_LABEL = 'Logiciel de coordination (DISPOSITIFS SANTE PARIS OUEST)';
/** An organisational mailbox the user may also send from (typed ORG by the sample directory): it needs Pro Santé Connect. */
const ORG_SENDER = 'contact.ouest@m2a-ouest.mssante.fr';
const PSC_CLIENT_ID = 'mss-outlook-e2e';
const PSC_SECRET = 'secret-de-test-e2e';
const PRODUCT_REFERENCE = 'DEV935997';
/** ANS CDA R2 radiology report (test/fixtures/SOURCES.md) and its fictitious ANS test patient. */
const CDA_FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'cda', 'CR_Radio_CDAN1_v1.XML');
const CDA_PATIENT = { ins: '279035121518989', birthName: 'PAT-TROIS', firstNames: 'DOMINIQUE', birthDate: '1979-03-28' } as const;
const PATIENT_ADDRESS = `${CDA_PATIENT.ins}@patient.mssante.fr`;

interface FakeState {
  to: { emailAddress: string; displayName: string }[];
  cc: { emailAddress: string }[];
  body: string;
  bodyHtml?: string;
  discarded?: boolean;
}

/** What the operator stand-in accepted: envelope and raw message. */
interface Received {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

let connector: ConnectorProcess;
let worker: ChildProcess | undefined;
let workerOutput = '';
let peer: SMTPServer;
let jwksServer: Server;
let pki: TestPki;
let tmp: string;
let browser: Browser;
let context: BrowserContext;
let idp: TestIdp;
let psc: FakePsc;
const received: Received[] = [];
const outsideRequests: string[] = [];

/** The operator stand-in: smtp-server on 127.0.0.1, STARTTLS with a server certificate of the throw-away IGC-Santé PKI. */
async function startPeer(): Promise<SMTPServer> {
  const server = new SMTPServer({
    key: pki.serverKey,
    cert: pki.serverChain,
    authOptional: true,
    logger: false,
    size: 30 * 1024 * 1024,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return server;
}

/** The test identity provider's key set over TLS on 127.0.0.1 (entra.jwksUrl must be https://). */
async function startJwksServer(): Promise<Server> {
  const server = createServer({ key: pki.serverKey, cert: pki.serverChain }, (req, res) => {
    if (req.url === '/keys') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(idp.jwks()));
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The compiled stand-alone outbound worker on the connector's SQLite queue (applicative mailbox, PKCS#12). */
async function startWorker(sqlitePath: string, smtpPort: number): Promise<ChildProcess> {
  writeFileSync(join(tmp, 'root.crl'), pki.rootCrl);
  writeFileSync(join(tmp, 'inter.crl'), pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 7 * 86_400_000)));
  writeFileSync(join(tmp, 'app.p12'), pki.clientP12);
  writeFileSync(join(tmp, 'app.p12.pass'), pki.clientP12Pass);
  const cfg = join(tmp, 'worker.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      store: { type: 'sqlite', sqlitePath },
      smtp: { host: '127.0.0.1', port: smtpPort, servername: 'localhost' },
      trustAnchorsFile: join(tmp, 'anchors.pem'),
      crlFiles: [join(tmp, 'root.crl'), join(tmp, 'inter.crl')],
      mailboxes: { [SENDER]: { pfxFile: join(tmp, 'app.p12'), passphraseFile: join(tmp, 'app.p12.pass') } },
      workerId: 'e2e-taskpane',
      concurrency: 2,
      pollMs: 200,
      retry: { baseMs: 500, maxMs: 2000, maxAttempts: 5 },
    }),
  );
  const child = spawn(process.execPath, [WORKER, cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => (workerOutput += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (workerOutput += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`travailleur d'envoi non démarré :\n${workerOutput}`)), 20_000);
    child.stdout?.on('data', () => {
      if (workerOutput.includes('prêt')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`travailleur d'envoi arrêté (code ${code}) :\n${workerOutput}`));
    });
  });
  return child;
}

beforeAll(async () => {
  pki = makePki();
  tmp = mkdtempSync(join(tmpdir(), 'mss-e2e-taskpane-'));
  writeFileSync(join(tmp, 'anchors.pem'), pki.anchors);
  idp = createTestIdp();
  peer = await startPeer();
  jwksServer = await startJwksServer();
  psc = await startFakePsc({ clientId: PSC_CLIENT_ID, secret: PSC_SECRET });
  // the sample directory plus the applicative mailbox of the structure (a line in the extraction's 31-column format)
  const directory = join(tmp, 'annuaire-e2e.txt');
  copyFileSync(SAMPLE_DIRECTORY, directory);
  writeFileSync(
    directory,
    `${readFileSync(directory, 'utf8').replace(/\n?$/, '\n')}APP|${SENDER}||||||Logiciel de coordination|||||||||||DISPOSITIFS SANTE PARIS OUEST|M2A-DAC 75 OUEST|||||||||||\n`,
  );
  const config = join(tmp, 'connector.json');
  writeFileSync(
    config,
    JSON.stringify({
      entra: {
        tenantId: IDP_TENANT,
        audience: IDP_AUDIENCE,
        jwksUrl: `https://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/keys`,
        addinClientId: IDP_CLIENT_ID,
        authority: IDP_ORIGIN,
        scope: IDP_SCOPE,
        dialogUrl: '/harness/auth-dialog.html',
      },
      senders: [{ user: IDP_USER.preferredUsername, mailboxes: [SENDER, ORG_SENDER] }],
      // Pro Santé Connect: the stand-in provider of the transport tests (discovery, PKCE code, tokens) on 127.0.0.1
      psc: { issuer: psc.issuer, clientId: PSC_CLIENT_ID, acrValues: '' },
      gateways: [{ id: 'dsp-paris', label: 'Passerelle Exchange – Medimail (exemple M2A-DAC)', domain: 'dsp.paris', localTemplate: '{local}={domain}' }],
      internalDomains: ['m2a.paris'],
      directory: { extractionPath: directory, refreshTime: 'off' },
      outbound: { productReference: PRODUCT_REFERENCE },
    }),
  );
  connector = await startConnectorProcess({
    env: { MSS_CONFIG: config, MSS_HARNESS: 'true', NODE_EXTRA_CA_CERTS: join(tmp, 'anchors.pem'), MSS_PSC_CLIENT_SECRET: PSC_SECRET },
    publicUrlIsLoopback: true,
  });
  worker = await startWorker(join(connector.dataDir, 'mss-outlook.sqlite'), (peer.server.address() as AddressInfo).port);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 1080 }, locale: 'fr-FR' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: connector.url });
  // Newest route first (Playwright): the catch-all abort, then the test IdP.
  await context.route(
    (url) => !url.href.startsWith(`${connector.url}/`),
    (route) => {
      outsideRequests.push(route.request().url());
      return route.abort();
    },
  );
  await idp.install(context);
  // The PSC "wallet" page is where the e-CPS sign-in happens. Playwright routes only the first request of a redirect
  // chain, so the real /psc/start of the connector is fetched here (its 302 to PSC's authorization URL, with PKCE,
  // state and nonce), the stand-in signs the user in for that URL (a code), and the browser goes straight back to the
  // connector's /psc/callback with it, as after the wallet.
  await context.route(
    (url) => url.href.startsWith(`${connector.url}/psc/start`),
    async (route) => {
      const start = await route.fetch({ maxRedirects: 0 });
      const location = start.headers()['location'] ?? '';
      if (start.status() !== 302 || !location.startsWith(psc.issuer)) return route.fulfill({ response: start });
      const { code, state } = psc.authorize(location);
      const back = new URL(new URL(location).searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', state);
      return route.fulfill({ status: 302, headers: { location: back.href } });
    },
  );
  // In the harness every page gets the fake Office host instead of office.js (the pane already does): here the PSC
  // callback page in the dialog, so that its Office.context.ui.messageParent reaches the fake dialog.
  const fakeOfficeJs = readFileSync(join(REPO_ROOT, 'dist', 'fake-office.js'), 'utf8');
  await context.route(`${connector.url}/office-js/office.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: fakeOfficeJs }));
});

afterAll(async () => {
  await browser?.close();
  if (worker && worker.exitCode === null) {
    const exited = once(worker, 'exit');
    worker.kill('SIGTERM');
    await exited;
  }
  await connector?.stop();
  await new Promise<void>((resolve) => (peer ? peer.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (jwksServer ? jwksServer.close(() => resolve()) : resolve()));
  await psc?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function openHarness(query = ''): Promise<{ page: Page; pane: FrameLocator; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${connector.url}/harness.html${query}`);
  const pane = page.frameLocator('[data-testid="taskpane-frame"]');
  await pane.getByTestId('no-recipients').waitFor();
  return { page, pane, errors };
}

const fakeState = (page: Page) => page.evaluate(() => window.__mssHarness?.mailbox.state as unknown as FakeState);

async function addRecipient(page: Page, field: 'to' | 'cc', text: string) {
  const input = page.getByTestId(`input-${field}`);
  await input.fill(text);
  await input.press('Enter');
}

/**
 * axe-core (WCAG 2.x A/AA rules) on the task pane's current state: no serious or critical violation. Returns the
 * violations so a failure shows them.
 */
async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  const frame = page.frames().find((f) => f.url().includes('/harness/taskpane.html'));
  if (!frame) throw new Error('volet introuvable');
  await frame.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  if (!(await frame.evaluate(() => 'axe' in window))) await frame.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await frame.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

const row = (pane: FrameLocator, address: string) => pane.locator(`[data-testid="recipient-row"][data-address="${address}"]`);

describe('task pane: fixes, reply rewriting and « Envoyer en MSSanté » (harness)', () => {
  it('a reply through the gateway is rewritten: MSSanté recipient, no gateway address in recipients, body or signature', async () => {
    const { page, pane, errors } = await openHarness();
    await page.getByTestId('btn-reply-gateway').click();
    const bar = pane.getByTestId('rewrite-bar');
    await bar.waitFor();
    await row(pane, DECODED).waitFor();
    await expect(row(pane, DECODED).getAttribute('data-kind')).resolves.toBe('mssante');

    const state = await fakeState(page);
    expect(state.to.map((r) => r.emailAddress)).toEqual([DECODED]);
    expect(state.to[0].displayName).toBe('Dr Jean Dupont');
    expect(state.to.map((r) => r.emailAddress)).not.toContain(GATEWAY);
    const everything = JSON.stringify(state);
    expect(everything).not.toMatch(/dsp\.paris/i); // recipients, text body, HTML body (signature and quoted header)
    expect(state.bodyHtml).toContain(`&lt;${DECODED}&gt;`); // the quoted "De :" now names the MSSanté address
    expect(state.bodyHtml).toContain('Secrétariat M2A-DAC 75 Ouest'); // the signature stays, without the address

    const changes = await pane.locator('[data-testid="rewrite-changes"] li').allTextContents();
    expect(changes.join('\n')).toContain(`remplacé par son adresse MSSanté ${DECODED}`);
    expect(changes.join('\n')).toMatch(/2 adresses de passerelle retirées, dont la vôtre/); // French plural (countFr), no « (s) »
    expect(changes.join('\n')).not.toContain('(s)');
    // the signature's « MSSanté : » is not left dangling with nothing after it
    expect(changes.join('\n')).toContain('« MSSanté : »');
    expect(state.bodyHtml).not.toMatch(/MSSanté\s*:\s*<\/div>/);
    expect(changes.join('\n')).toContain('fil de discussion est conservé');
    // the pane never shows the user's own gateway address either
    await expect(pane.locator('body').textContent()).resolves.not.toContain('m2a-dac75-ouest=pro.mssante.fr');

    await expect(axeViolations(page)).resolves.toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-reply-rewritten-light-fr.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('one click replaces a gmail address by the suggested MSSanté address (evidence and confidence shown)', async () => {
    const { page, pane } = await openHarness();
    await addRecipient(page, 'to', `Sophie Martin <${GMAIL}>`);
    const suggestion = row(pane, GMAIL).locator(`[data-testid="suggestion"][data-address="${SUGGESTED}"]`);
    await suggestion.waitFor();
    const text = await suggestion.textContent();
    expect(text).toMatch(/confiance \d+ %/);
    await expect(suggestion.getByTestId('evidence').locator('li').count()).resolves.toBeGreaterThan(0);
    await expect(axeViolations(page)).resolves.toEqual([]);
    await suggestion.getByTestId('fix-replace').click();
    await row(pane, SUGGESTED).waitFor();
    await expect(row(pane, SUGGESTED).getAttribute('data-kind')).resolves.toBe('mssante');
    const state = await fakeState(page);
    expect(state.to.map((r) => r.emailAddress)).toEqual([SUGGESTED]);
    await pane.locator('[data-testid="verdict"][data-action="allow"]').waitFor();
    await expect(pane.getByTestId('fix-notice').textContent()).resolves.toContain(`${GMAIL} remplacée par ${SUGGESTED}`);
    await page.close();
  });

  it('keyboard only: Tab to « Remplacer par … » and Entrée fixes the recipient', async () => {
    const { page, pane } = await openHarness();
    await addRecipient(page, 'to', GMAIL);
    await row(pane, GMAIL).locator('[data-testid="suggestion"] [data-testid="fix-replace"]').waitFor();
    // Start at the pane's first control, then only the keyboard.
    await pane.getByTestId('refresh').focus();
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await pane
        .locator(':focus')
        .evaluate((el) => el.getAttribute('data-testid') === 'fix-replace' && el.getAttribute('data-replacement') !== null)
        .catch(() => false);
    }
    expect(reached).toBe(true);
    await expect(pane.locator(':focus').getAttribute('aria-label')).resolves.toBe(`Remplacer par ${SUGGESTED} (adresse MSSanté, au lieu de ${GMAIL})`); // WCAG 2.5.3: the visible text starts the name
    await page.keyboard.press('Enter');
    await row(pane, SUGGESTED).waitFor();
    expect((await fakeState(page)).to.map((r) => r.emailAddress)).toEqual([SUGGESTED]);
    await page.close();
  });

  it('directory search and add, with the keyboard (Combobox: type, ↓, Entrée)', async () => {
    const { page, pane } = await openHarness();
    const combo = pane.getByRole('combobox', { name: 'Rechercher dans l’annuaire (nom, adresse, structure)' });
    await combo.focus();
    await combo.pressSequentially('Dupont', { delay: 20 });
    await pane.locator(`[data-testid="directory-result"]`).first().waitFor();
    await expect(pane.getByTestId('directory-search-status').textContent()).resolves.toMatch(/résultat/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await row(pane, OTHER_MSSANTE).waitFor();
    const state = await fakeState(page);
    expect(state.to.map((r) => r.emailAddress)).toContain(OTHER_MSSANTE);
    await expect(row(pane, OTHER_MSSANTE).getAttribute('data-kind')).resolves.toBe('mssante');
    await page.close();
  });

  it('a mixed message is split: non-MSSanté recipients leave this message and are copied, with the explanation', async () => {
    const { page, pane } = await openHarness();
    await addRecipient(page, 'to', SUGGESTED);
    await addRecipient(page, 'cc', 'contact@clinique-exemple.fr');
    await row(pane, 'contact@clinique-exemple.fr').waitFor();
    await pane.getByTestId('fix-move').click();
    await pane.getByTestId('move-result').waitFor();
    await expect(pane.getByTestId('move-result').textContent()).resolves.toContain('Outlook ne permet pas à un complément d’ouvrir un second message');
    await expect(pane.getByTestId('move-addresses').textContent()).resolves.toBe('contact@clinique-exemple.fr');
    const state = await fakeState(page);
    expect(state.cc).toEqual([]);
    expect(state.to.map((r) => r.emailAddress)).toEqual([SUGGESTED]);
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('contact@clinique-exemple.fr');
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.close();
  });

  it('?lang=en: the fixes speak English', async () => {
    const { page, pane } = await openHarness('?lang=en');
    await addRecipient(page, 'to', GMAIL);
    const button = row(pane, GMAIL).locator('[data-testid="suggestion"] [data-testid="fix-replace"]');
    await button.waitFor();
    await expect(button.textContent()).resolves.toBe(`Replace with ${SUGGESTED}`);
    await expect(row(pane, GMAIL).getByTestId('fix-remove').textContent()).resolves.toBe('Remove');
    await expect(pane.getByTestId('send-button').textContent()).resolves.toBe('Send via MSSanté');
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.close();
  });

  it('dark Office theme → dark Fluent theme in the pane, and the pane follows Outlook when the theme changes', async () => {
    const { page, pane } = await openHarness('?theme=dark');
    const background = async () => {
      const bg = await pane.locator('main').evaluate((el) => getComputedStyle(el.parentElement as Element).backgroundColor);
      const [r, g, b] = (bg.match(/\d+/g) ?? []).map(Number);
      return r + g + b;
    };
    expect(await background()).toBeLessThan(200);
    await addRecipient(page, 'to', GMAIL);
    await row(pane, GMAIL).locator('[data-testid="suggestion"]').waitFor();
    await expect(axeViolations(page)).resolves.toEqual([]);
    mkdirSync(DOC_IMAGES, { recursive: true });
    await page.getByTestId('taskpane-frame').screenshot({ path: join(DOC_IMAGES, 'taskpane-dark-fr.png') });
    // Outlook switches to the light theme while the pane is open (OfficeThemeChanged): no reload needed
    await page.getByTestId('btn-theme').click();
    await pane.locator('[data-theme="light"]').waitFor();
    expect(await background()).toBeGreaterThan(600);
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.close();
  });

  it('« Envoyer en MSSanté » through the REAL pipeline: sign-in, mailbox list, idempotent submit, operator reached, « remis à l’opérateur », draft removed only then', async () => {
    const issuedBefore = idp.issued();
    const { page, pane, errors } = await openHarness();
    await page.getByTestId('input-subject').fill('Compte rendu de coordination');
    await page.getByTestId('input-body').fill('Bonjour, voici le compte rendu de la réunion de coordination.');
    await addRecipient(page, 'to', SUGGESTED);
    await pane.locator('[data-testid="verdict"][data-action="allow"]').waitFor();
    // opening the pane signed nobody in (no window popped by itself); the button does, through the Office dialog
    expect(idp.issued() - issuedBefore).toBe(0);
    await pane.getByTestId('send-signin').click();
    // GET /api/mailboxes of the real connector: the mailbox `senders` grants, typed and named from the directory
    await expect(pane.getByTestId('send-from').inputValue()).resolves.toBe(SENDER);
    await expect(pane.getByTestId('send-from').locator('option').allTextContents()).resolves.toEqual([
      `${SENDER_LABEL} — ${SENDER}`,
      `Accueil (DISPOSITIFS SANTE PARIS OUEST) — ${ORG_SENDER}`,
    ]);
    await expect(pane.getByTestId('send-panel').textContent()).resolves.toContain('BAL applicative');
    await expect(pane.getByTestId('psc').count()).resolves.toBe(0); // an applicative mailbox needs no Pro Santé Connect
    await expect(pane.getByTestId('send-not-yet').count()).resolves.toBe(0); // nothing is "not supported yet" any more
    // the message is still a draft: nothing reached the operator
    expect(received).toHaveLength(0);
    await expect(axeViolations(page)).resolves.toEqual([]);

    await pane.getByTestId('send-button').click();
    await pane.locator('[data-testid="send-state"][data-status="accepted"]').waitFor({ timeout: 60_000 });
    await expect(pane.getByTestId('send-state').textContent()).resolves.toContain('Remis à l’opérateur MSSanté');
    await page.getByTestId('draft-discarded').waitFor();
    await expect(pane.getByTestId('send-state').getAttribute('data-draft')).resolves.toBe('removed');
    await expect(axeViolations(page)).resolves.toEqual([]);

    // the operator stand-in received it: envelope, X-MSS-NIL, the Message-ID the connector announced
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail.from).toBe(SENDER);
    expect(mail.to).toEqual([SUGGESTED]);
    const head = mail.raw.split('\r\n\r\n')[0];
    expect(head).toMatch(new RegExp(`^X-MSS-NIL: ${PRODUCT_REFERENCE}$`, 'm'));
    const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1];
    expect(messageId).toMatch(/^<[0-9a-f-]{36}@m2a-ouest\.mssante\.fr>$/);
    expect(head).toMatch(/^Subject: Compte rendu de coordination$/m);
    expect(head).toMatch(new RegExp(`^Disposition-Notification-To: .*${SENDER.replace(/\./g, '\\.')}`, 'im')); // read receipt asked (default)
    expect(mail.raw).toContain('voici le compte rendu');
    // the draft went only after acceptance: the fake host recorded the discard after the peer had the message
    expect((await fakeState(page)).discarded).toBe(true);
    expect(idp.issued() - issuedBefore).toBe(1); // one sign-in per pane: mailboxes, submit and polls reuse the token
    expect(errors).toEqual([]);

    mkdirSync(DOC_IMAGES, { recursive: true });
    await pane.getByTestId('send-state').scrollIntoViewIfNeeded();
    await page.getByTestId('taskpane-frame').screenshot({ path: join(DOC_IMAGES, 'taskpane-light-fr.png') });
    await page.close();
  });

  it('to a patient: qualified INS and traits, CDA packed as IHE XDM, « fin d’échange », no read receipt — as the operator receives it', async () => {
    const { page, pane, errors } = await openHarness();
    await page.getByTestId('input-subject').fill('Compte rendu de radiologie');
    await page.getByTestId('input-body').fill('Madame, voici votre compte rendu.');
    const cda = readFileSync(CDA_FIXTURE).toString('base64');
    await page.evaluate((b64) => {
      window.__mssHarness?.mailbox.addAttachment('CR_Radio_CDAN1_v1.xml', 24_000, b64);
    }, cda);
    await addRecipient(page, 'to', PATIENT_ADDRESS);
    await row(pane, PATIENT_ADDRESS).waitFor();
    // the check blocks a patient recipient without a qualified INS; the pane opens the patient section and says why
    await pane.getByTestId('send-patient-fields').waitFor();
    await expect(pane.getByTestId('send-blocked').textContent()).resolves.toContain('identité INS qualifiée');
    await pane.getByTestId('send-signin').click();
    await expect(pane.getByTestId('send-from').inputValue()).resolves.toBe(SENDER);
    await pane.getByTestId('send-ins-qualified').click();
    await pane.getByTestId('send-ins').fill(CDA_PATIENT.ins);
    await pane.getByTestId('send-birth-name').fill(CDA_PATIENT.birthName);
    await pane.getByTestId('send-first-names').fill(CDA_PATIENT.firstNames);
    await pane.getByTestId('send-birth-date').fill(CDA_PATIENT.birthDate);
    await pane.getByRole('radio', { name: 'Féminin' }).check();
    await pane.getByTestId('send-end').click(); // offered because a recipient is a patient
    await pane.getByTestId('send-read-receipt').click(); // untick
    await expect(pane.getByTestId('send-cda').isChecked()).resolves.toBe(true);
    await expect(pane.getByTestId('send-blocked').count()).resolves.toBe(0);
    await expect(axeViolations(page)).resolves.toEqual([]);
    const before = received.length;
    await pane.getByTestId('send-button').click();
    await pane.locator('[data-testid="send-state"][data-status="accepted"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('draft-discarded').waitFor();

    expect(received).toHaveLength(before + 1);
    const mail = received[received.length - 1];
    expect(mail.to).toEqual([PATIENT_ADDRESS]);
    const head = mail.raw.split('\r\n\r\n')[0];
    expect(head).toMatch(/^X-MSS-MES: FIN$/m); // ECO.2.2.8
    // ECO.2.1.3: the connector titles a message carrying documents XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>
    const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
    expect(unfolded).toMatch(new RegExp(`^Subject: XDM/1\\.0/DDM\\+Compte rendu de radiologie ${CDA_PATIENT.birthName.toUpperCase()} ${CDA_PATIENT.firstNames.split(' ')[0]} \\d{2}/\\d{2}/\\d{4}$`, 'm'));
    expect(head).toMatch(/^X-MSS-INS: O$/m); // ECO.2.4.2, qualified INS
    expect(head).toMatch(/^X-MSS-CODECDA: 18748-4$/m); // ECO.2.4.1, the CDA's ClinicalDocument/code
    expect(head).toMatch(new RegExp(`^X-MSS-NIL: ${PRODUCT_REFERENCE}$`, 'm'));
    expect(head).not.toMatch(/^Disposition-Notification-To:/im); // read receipt unticked
    expect(mail.raw).toMatch(/filename="?IHE_XDM\.zip"?/i); // the CDA left inside the IHE XDM archive
    expect(mail.raw).not.toMatch(/filename="?CR_Radio_CDAN1_v1\.xml"?/i);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the real connector refuses a recipient outside the trust space; the pane says why and keeps the draft', async () => {
    const { page, pane } = await openHarness();
    await page.getByTestId('input-subject').fill('Test');
    await addRecipient(page, 'to', SUGGESTED);
    await pane.locator('[data-testid="verdict"][data-action="allow"]').waitFor();
    await pane.getByTestId('send-signin').click();
    await expect(pane.getByTestId('send-from').inputValue()).resolves.toBe(SENDER);
    // a non-MSSanté recipient in Cc: the policy only warns (mixedRecipients: warn), the connector refuses (no open relay)
    const before = received.length;
    await addRecipient(page, 'cc', 'contact@clinique-exemple.fr');
    await row(pane, 'contact@clinique-exemple.fr').waitFor();
    await pane.locator('[data-testid="verdict"][data-action="warn"]').waitFor();
    await pane.getByTestId('send-button').click();
    await pane.locator('[data-testid="send-state"][data-status="error"]').waitFor({ timeout: 30_000 });
    await expect(pane.getByTestId('send-state').textContent()).resolves.toMatch(/n’est pas parti.*(hors|espace de confiance|MSSanté)/);
    expect((await fakeState(page)).discarded).not.toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(received.length).toBe(before);
    await page.close();
  });

  it('an organisational mailbox needs Pro Santé Connect: state shown, « Se connecter avec Pro Santé Connect » through the Office dialog, connected', async () => {
    const { page, pane, errors } = await openHarness();
    await addRecipient(page, 'to', SUGGESTED);
    await pane.locator('[data-testid="verdict"][data-action="allow"]').waitFor();
    await pane.getByTestId('send-signin').click();
    await expect(pane.getByTestId('send-from').inputValue()).resolves.toBe(SENDER);
    await expect(pane.getByTestId('psc').count()).resolves.toBe(0);
    await pane.getByTestId('send-from').selectOption(ORG_SENDER);
    // GET /api/psc/session of the real connector: not connected yet; sending waits for it
    await pane.locator('[data-testid="psc"][data-psc="disconnected"]').waitFor();
    await expect(pane.getByTestId('psc-state').textContent()).resolves.toContain('Non connecté à Pro Santé Connect');
    await expect(pane.getByTestId('send-missing').textContent()).resolves.toContain('connexion Pro Santé Connect');
    await expect(pane.getByTestId('send-button').isDisabled()).resolves.toBe(true);
    await expect(axeViolations(page)).resolves.toEqual([]);

    // the button: POST /api/psc/session → one-use URL → Office dialog → PSC → /psc/callback → messageParent → state again
    await pane.getByTestId('psc-signin').click();
    await pane.locator('[data-testid="psc"][data-psc="connected"]').waitFor({ timeout: 30_000 });
    await expect(pane.getByTestId('psc-state').textContent()).resolves.toMatch(/Connecté à Pro Santé Connect jusqu’à \d{2}:\d{2}/);
    await expect(pane.getByTestId('send-button').isEnabled()).resolves.toBe(true);
    // the dialog is closed, and no PSC token ever reached the page
    await expect(page.frameLocator('[data-testid="taskpane-frame"]').locator('iframe').count()).resolves.toBe(0);
    const html = await pane.locator('body').innerHTML();
    expect(psc.issued.length).toBeGreaterThan(0);
    for (const token of psc.issued) expect(html).not.toContain(token);
    await expect(axeViolations(page)).resolves.toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stayed hermetic', () => {
    expect(outsideRequests).toEqual([]);
  });
});
