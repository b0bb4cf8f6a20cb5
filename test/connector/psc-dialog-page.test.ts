// Runtime: Node (jest) driving headless Debian Chromium (playwright-core). The pages the Office dialog shows at the end of
// a Pro Santé Connect sign-in (/psc/callback) or for a refused start link (/psc/start?ticket=…) must tell the add-in the
// outcome through Office.context.ui.messageParent(JSON.stringify({type:'psc', status, code?})), the contract the task
// pane reads. The real pages run in a real browser; office.js is replaced by a stand-in that records messageParent
// (the real one only talks to an Office host, which cannot run here).
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { PscClient } from '../../src/connector/psc/psc-client';
import { pscRoutes } from '../../src/connector/psc/routes';
import { startFakePsc, type FakePsc } from '../transport/helpers/fake-psc';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OFFICE_STAND_IN = `window.__psc = [];
window.Office = { onReady: function (cb) { setTimeout(function () { cb({ host: 'Outlook' }); }, 0); },
  context: { ui: { messageParent: function (m) { window.__psc.push(m); } } } };`;

let op: FakePsc;
let app: FastifyInstance;
let base: string;
let client: PscClient;
let browser: Browser;

beforeAll(async () => {
  op = await startFakePsc({ clientId: 'mss-connecteur', secret: 's' });
  // the provider stand-in does not check redirect_uri; the callback is opened directly on the app below
  client = await PscClient.create({ issuer: op.issuer, clientId: 'mss-connecteur', clientSecret: 's', redirectUri: 'https://mss.hopital.test/psc/callback', logger: false });
  app = Fastify({ logger: false });
  app.get('/office-js/office.js', async (_req, reply) => reply.type('application/javascript').send(OFFICE_STAND_IN));
  await app.register(pscRoutes({ client }));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await op?.close();
});

async function messagesOf(url: string): Promise<{ messages: unknown[]; heading: string | null }> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __psc: unknown[] }).__psc.length > 0, undefined, { timeout: 5000 });
    const messages = await page.evaluate(() => (window as unknown as { __psc: string[] }).__psc.map((m) => JSON.parse(m) as unknown));
    return { messages, heading: await page.textContent('h1') };
  } finally {
    await page.close();
  }
}

test('sign-in done: the callback page sends {type:"psc", status:"ok"} to the add-in, once', async () => {
  const { authorizationUrl } = client.beginLogin('oid-alice');
  const { code, state } = op.authorize(authorizationUrl);
  const { messages, heading } = await messagesOf(`${base}/psc/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`);
  expect(messages).toEqual([{ type: 'psc', status: 'ok' }]);
  expect(heading).toBe('Connecté à Pro Santé Connect');
  expect(client.hasSession('oid-alice')).toBe(true);
});

test('a refused start link: the page says it in French and sends the code', async () => {
  const { messages, heading } = await messagesOf(`${base}/psc/start?ticket=${'z'.repeat(43)}`);
  expect(messages).toEqual([{ type: 'psc', status: 'error', code: 'PSC_TICKET_UNKNOWN' }]);
  expect(heading).toBe('Lien de connexion inconnu');
});

test('a sign-in refused at PSC: status error with the transport code', async () => {
  const { state } = client.beginLogin('oid-bob');
  const { messages } = await messagesOf(`${base}/psc/callback?error=access_denied&state=${encodeURIComponent(state)}`);
  expect(messages).toEqual([{ type: 'psc', status: 'error', code: 'PSC_NOT_CONNECTED' }]);
});
