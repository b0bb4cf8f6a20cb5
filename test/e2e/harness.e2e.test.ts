// Runtime: Node (jest, `npm run test:e2e`). End to end through the demo harness: the real connector (HTTPS on
// 127.0.0.1, development certificate, embedded configuration with the demo gateway dsp.paris), headless Debian
// Chromium driven by playwright-core, the BUILT task pane and the BUILT launch-event file. Every request that does not
// go to the connector is aborted: the test proves the add-in needs nothing from the internet.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { REPO_ROOT, startConnectorProcess, type ConnectorProcess } from './connector-process';

const DIST = join(REPO_ROOT, 'dist');
const ARTIFACTS = join(REPO_ROOT, 'artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const MSSANTE = 'sophie.martin@medecin.mssante.fr';
const GMAIL = 'dupont@gmail.com';
const PATIENT = '248037512345658@patient.mssante.fr'; // valid INS matricule (key 58)
const GATEWAY = 'jean.dupont=medecin.mssante.fr@dsp.paris';
const HEALTH_BODY = 'Compte-rendu d’hospitalisation de Mme Durand, née le 12/03/1948. Traitement de sortie joint.';

let connector: ConnectorProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const outsideRequests: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  for (const f of ['harness.html', 'harness/taskpane.html', 'harness/commands.html', 'launchevent.js', 'taskpane.js', 'fake-office.js']) {
    if (!existsSync(join(DIST, f))) throw new Error(`dist/${f} manque : lancez « npm run build:web » (npm run test:e2e le fait).`);
  }
  connector = await startConnectorProcess();

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 1080 }, locale: 'fr-FR' });
  // Hermetic: abort everything that is not the connector (pages, iframes, fetches).
  await context.route(
    (url) => !url.href.startsWith(`${connector.url}/`),
    (route) => {
      outsideRequests.push(route.request().url());
      return route.abort();
    },
  );
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${connector.url}/harness.html`);
});

afterAll(async () => {
  await browser?.close();
  await connector?.stop();
});

const pane = (): FrameLocator => page.frameLocator('[data-testid="taskpane-frame"]');
const row = (address: string) => pane().locator(`[data-testid="recipient-row"][data-address="${address}"]`);

/** Waits until Fluent's open/close animations are over (screenshots of a half-faded dialog help nobody). */
async function settle(p: Page) {
  await p.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
}

async function addRecipient(field: 'to' | 'cc' | 'bcc', text: string) {
  const input = page.getByTestId(`input-${field}`);
  await input.fill(text);
  await input.press('Enter');
}

describe('harness (real connector, built task pane, built launch-event file)', () => {
  it('boots: the task pane runs on the fake host and says there is no recipient yet', async () => {
    await expect(pane().getByRole('heading', { name: 'Vérification MSSanté' }).textContent()).resolves.toBe('Vérification MSSanté');
    await pane().getByTestId('no-recipients').waitFor();
  });

  it('a reply to a message received through the gateway is rewritten to the decoded MSSanté address', async () => {
    // (details of the rewrite: taskpane-send.e2e.test.ts)
    await page.getByTestId('btn-reply-gateway').click();
    await pane().getByTestId('rewrite-bar').waitFor();
    await row('jean.dupont@medecin.mssante.fr').waitFor();
    await expect(row('jean.dupont@medecin.mssante.fr').getAttribute('data-kind')).resolves.toBe('mssante');
    await expect(pane().locator(`[data-testid="recipient-row"][data-address="${GATEWAY}"]`).count()).resolves.toBe(0);
    await expect(page.getByTestId('compose-type').getAttribute('data-compose-type')).resolves.toBe('reply');
    await expect(page.getByTestId('input-subject').inputValue()).resolves.toMatch(/^RE: /);
    await page.getByTestId('btn-new').click();
    await pane().getByTestId('no-recipients').waitFor();
  });

  it('recipients typed in the compose form get their kind in the task pane (live, on RecipientsChanged)', async () => {
    await addRecipient('to', `Dr Sophie Martin <${MSSANTE}>`);
    await addRecipient('to', GMAIL);
    await addRecipient('to', GATEWAY);
    await row(GATEWAY).waitFor();
    const kinds = await pane().getByTestId('recipient-row').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-field'), r.getAttribute('data-address'), r.getAttribute('data-kind')]),
    );
    expect(kinds).toEqual([
      ['to', MSSANTE, 'mssante'],
      ['to', GMAIL, 'external'],
      ['to', GATEWAY, 'gateway'],
    ]);
    await expect(row(MSSANTE).getByTestId('recipient-badge').textContent()).resolves.toMatch(/^MSSanté/);
    await expect(row(GMAIL).getByTestId('recipient-badge').textContent()).resolves.toBe('Non sécurisée');
    await expect(row(MSSANTE).textContent()).resolves.toContain('Dr Sophie Martin');
  });

  it('OnMessageRecipientsChanged keeps ONE info bar summarising non-MSSanté and gateway recipients', async () => {
    const barText = () => page.getByTestId('notification').allTextContents();
    await page.waitForFunction(() => /passerelle/.test(document.querySelector('[data-testid="notification"]')?.textContent ?? ''));
    let bars = await barText();
    expect(bars).toHaveLength(1);
    expect(bars[0]).toMatch(/hors MSSanté/);
    // one more recipient: the bar is replaced, not piled up
    await addRecipient('cc', 'secretariat@clinique-exemple.fr');
    await page.waitForFunction(() => /2 destinataires hors MSSanté/.test(document.querySelector('[data-testid="notification"]')?.textContent ?? ''));
    bars = await barText();
    expect(bars).toHaveLength(1);
    await page.getByTestId('input-cc').press('Backspace'); // remove the Cc chip again
    await page.waitForFunction(() => /1 destinataire hors MSSanté/.test(document.querySelector('[data-testid="notification"]')?.textContent ?? ''));
    expect(await barText()).toHaveLength(1);
  });

  it('a health-data body to a non-MSSanté address → warn verdict (after « Actualiser »: Outlook has no body event)', async () => {
    await page.getByTestId('input-subject').fill('Sortie de Mme Durand');
    await page.getByTestId('input-body').fill(HEALTH_BODY);
    await pane().getByTestId('refresh').click();
    const verdict = pane().getByTestId('verdict');
    await pane().locator('[data-testid="verdict"][data-action="warn"]').waitFor();
    const text = await verdict.textContent();
    expect(text).toContain('À vérifier avant l\'envoi');
    expect(text).toContain('données de santé');
    expect(text).toContain(GMAIL);
    await expect(pane().locator('[data-testid="verdict-reasons"] [data-code]').evaluateAll((l) => l.map((e) => e.getAttribute('data-code')))).resolves.toEqual([
      'HEALTH_DATA_TO_NON_MSSANTE',
      'MIXED_RECIPIENTS',
      'GATEWAY_RECIPIENT',
    ]);
  });

  it('Envoyer runs the real handler: Smart Alert with Envoyer quand même / Corriger / Ne pas envoyer', async () => {
    await page.getByTestId('btn-send').click();
    const dialog = page.getByTestId('smart-alert');
    await dialog.waitFor();
    const message = await page.getByTestId('smart-alert-message').textContent();
    expect(message).toContain('Vérifiez ce message avant de l’envoyer.');
    expect(message).toContain(GMAIL);
    const buttons = await dialog.locator('button[data-testid^="alert-"]').allTextContents();
    expect(buttons).toEqual(['Envoyer quand même', 'Corriger', 'Ne pas envoyer']);
    mkdirSync(ARTIFACTS, { recursive: true });
    await settle(page);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-smart-alert.png') });
    await page.getByTestId('alert-take-action').click();
    await expect(page.getByTestId('send-result').getAttribute('data-result')).resolves.toBe('not-sent');
    const log = JSON.parse((await page.getByTestId('send-log-json').textContent()) ?? '{}');
    expect(log).toMatchObject({ kind: 'completed', completions: 1, options: { allowEvent: false, sendModeOverride: 'promptUser' } });
  });

  it('a patient address without qualified INS → block, and the Smart Alert offers no « Envoyer quand même »', async () => {
    // "Corriger" reloaded the task pane, as Outlook opens it afresh.
    await pane().getByTestId('recipient-row').first().waitFor();
    await addRecipient('cc', PATIENT);
    await row(PATIENT).waitFor();
    await expect(row(PATIENT).getAttribute('data-kind')).resolves.toBe('patient');
    await pane().locator('[data-testid="verdict"][data-action="block"]').waitFor();
    await expect(pane().getByTestId('verdict').textContent()).resolves.toContain('Envoi bloqué');

    await page.getByTestId('btn-send').click();
    await page.getByTestId('smart-alert').waitFor();
    await expect(page.getByTestId('smart-alert-message').textContent()).resolves.toContain('Envoi bloqué par la politique MSSanté');
    const buttons = await page.getByTestId('smart-alert').locator('button[data-testid^="alert-"]').allTextContents();
    expect(buttons).toEqual(['Corriger', 'Ne pas envoyer']);
    await page.getByTestId('alert-dont-send').click();
    await page.getByTestId('smart-alert').waitFor({ state: 'detached' });

    mkdirSync(ARTIFACTS, { recursive: true });
    await settle(page);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-harness.png'), fullPage: false });
  });

  it('only MSSanté recipients → the message leaves without a dialog', async () => {
    await page.getByTestId('btn-new').click();
    await pane().getByTestId('no-recipients').waitFor();
    await addRecipient('to', MSSANTE);
    await page.getByTestId('input-body').fill(HEALTH_BODY);
    await pane().locator('[data-testid="verdict"][data-action="allow"]').waitFor();
    await expect(pane().getByTestId('verdict').textContent()).resolves.toContain('Envoi possible');
    await page.getByTestId('btn-send').click();
    await expect(page.getByTestId('send-result').getAttribute('data-result')).resolves.toBe('sent');
  });

  it('stayed hermetic and error-free', () => {
    expect(outsideRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe('task pane outside Outlook and with the connector down', () => {
  it('the production task pane opened in a plain browser explains itself in French', async () => {
    const p = await context.newPage();
    await p.goto(`${connector.url}/taskpane.html`);
    await p.getByTestId('not-outlook').waitFor({ timeout: 20000 });
    await expect(p.getByTestId('not-outlook').textContent()).resolves.toContain('Ce volet fonctionne dans Outlook');
    await p.close();
  });

  it('?lang=en on the harness gives the task pane in English', async () => {
    const p = await context.newPage();
    await p.goto(`${connector.url}/harness.html?lang=en`);
    const frame = p.frameLocator('[data-testid="taskpane-frame"]');
    await frame.getByRole('heading', { name: 'MSSanté check' }).waitFor();
    await addRecipientOn(p, 'to', GMAIL);
    await expect(frame.locator(`[data-testid="recipient-row"][data-address="${GMAIL}"] [data-testid="recipient-badge"]`).textContent()).resolves.toBe('Not secure');
    await p.close();
  });

  it('connector errors → a clear French message, not a crash', async () => {
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.route('**/api/**', (r) => r.abort('connectionrefused'));
    await p.goto(`${connector.url}/harness.html`);
    await addRecipientOn(p, 'to', GMAIL);
    const frame = p.frameLocator('[data-testid="taskpane-frame"]');
    await frame.getByTestId('problem').waitFor();
    await expect(frame.getByTestId('problem').textContent()).resolves.toContain('Le connecteur MSSanté ne répond pas');
    await expect(frame.locator(`[data-testid="recipient-row"][data-address="${GMAIL}"]`).getAttribute('data-kind')).resolves.toBe('unknown');
    expect(errors).toEqual([]);
    await p.close();
  });
});

async function addRecipientOn(p: Page, field: 'to' | 'cc' | 'bcc', text: string) {
  const input = p.getByTestId(`input-${field}`);
  await input.fill(text);
  await input.press('Enter');
}
