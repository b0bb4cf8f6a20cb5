// Runtime: Node (jest, `npm run test:e2e`). The BUILT dist/launchevent.js as classic Outlook on Windows runs it: one
// classic script in a bare JavaScript context (no window, no document, no localStorage, no module system; OUTLOOK.md
// §1.7), with only an `Office` object (the harness's fake host) and `console`. Then every FunctionName of manifest.xml
// must be associated by that file (a FunctionName nobody associates blocks every send under SoftBlock).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInContext, createContext, type Context } from 'node:vm';
import { SaxesParser } from 'saxes';
import { FakeMailbox, officeError, type FakeMailboxState } from '../../src/harness/fake-mailbox';
import { createFakeOffice } from '../../src/harness/fake-office-api';
import { fakeConnectorFetch, type FakeConnectorOptions } from '../helpers/fake-connector-fetch';
import { startConnectorProcess, type ConnectorProcess } from './connector-process';

const REPO_ROOT = join(__dirname, '..', '..');
const BUNDLE = join(REPO_ROOT, 'dist', 'launchevent.js');
const MANIFEST = join(REPO_ROOT, 'manifest.xml');
const { classicScriptProblems } = require(join(REPO_ROOT, 'webpack.config.js')) as { classicScriptProblems: (s: string) => string[] };

let source: string;

beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error('dist/launchevent.js manque : lancez « npm run build:web ».');
  source = readFileSync(BUNDLE, 'utf8');
});

/** The origin baked into the build by webpack's DefinePlugin (MSS_PUBLIC_URL, else https://localhost:<MSS_PORT|3000>). */
const BAKED_ORIGIN = process.env.MSS_PUBLIC_URL ? new URL(process.env.MSS_PUBLIC_URL).origin : `https://localhost:${process.env.MSS_PORT || 3000}`;

/**
 * Loads the bundle in a fresh bare context over `state`: only Office, console, the timers and fetch, as classic
 * Outlook's JavaScript-only runtime offers (no window, document, localStorage, location, require or module).
 * `fetch` is a fake connector by default, or the given function.
 */
function load(state: Partial<FakeMailboxState> = {}, prepare?: (m: FakeMailbox) => void, connector: FakeConnectorOptions | { fetch: unknown } = {}) {
  const mailbox = new FakeMailbox(state);
  prepare?.(mailbox);
  const host = createFakeOffice(mailbox);
  const logs: string[] = [];
  const log = (...a: unknown[]) => logs.push(a.map(String).join(' '));
  const fake = 'fetch' in connector ? undefined : fakeConnectorFetch(connector);
  const context: Context = createContext({
    Office: host.office,
    console: { log, info: log, warn: log, error: log },
    setTimeout,
    clearTimeout,
    fetch: fake ? fake.fetch : (connector as { fetch: unknown }).fetch,
  });
  runInContext(source, context, { filename: 'launchevent.js' });
  return { context, host, mailbox, logs, calls: fake ? fake.calls : [] };
}

/** Runs an info-bar handler like Outlook and resolves after its completion. */
async function change(handler: unknown) {
  const calls: unknown[][] = [];
  let done: () => void = () => undefined;
  const first = new Promise<void>((r) => (done = r));
  (handler as (e: unknown) => void)({ type: 'olkRecipientsChanged', completed: (...a: unknown[]) => { calls.push(a); done(); } });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([first, new Promise((r) => (timer = setTimeout(r, 5000)))]);
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 100));
  return calls;
}

/** Runs the associated handler like Outlook and collects every completion. */
async function send(handler: unknown) {
  const calls: Office.SmartAlertsEventCompletedOptions[] = [];
  let done: () => void = () => undefined;
  const first = new Promise<void>((r) => (done = r));
  (handler as (e: unknown) => void)({
    completed(options: Office.SmartAlertsEventCompletedOptions) {
      calls.push(options);
      done();
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([first, new Promise((r) => (timer = setTimeout(r, 5000)))]);
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 100)); // room for a faulty second completion
  return calls;
}

const rcpt = (emailAddress: string) => ({ emailAddress, displayName: emailAddress, recipientType: 'externalUser' as const });

describe('dist/launchevent.js', () => {
  it('is one classic ES2016 script: no import/export, no async/await (parsed with acorn)', () => {
    expect(classicScriptProblems(source)).toEqual([]);
  });

  it('loads in a bare context with no DOM and associates the three handlers', () => {
    const { context, host } = load();
    expect(runInContext('typeof window + typeof document + typeof localStorage + typeof location + typeof require + typeof module', context)).toBe(
      'undefinedundefinedundefinedundefinedundefinedundefined',
    );
    expect([...host.handlers.keys()]).toEqual(['onMessageSendHandler', 'onMessageRecipientsChangedHandler', 'onMessageAttachmentsChangedHandler']);
    // nothing but what we gave leaked into the global scope (iife bundle)
    expect(Object.keys(context).sort()).toEqual(['Office', 'clearTimeout', 'console', 'fetch', 'setTimeout']);
  });

  it('calls the connector at the origin baked at build time (absolute URLs, ONE classify call)', async () => {
    const { host, calls } = load({ to: [rcpt('sophie.martin@medecin.mssante.fr'), rcpt('dupont@gmail.com')] });
    await send(host.handlers.get('onMessageSendHandler'));
    expect(calls.map((c) => c.url).sort()).toEqual([`${BAKED_ORIGIN}/api/policy`, `${BAKED_ORIGIN}/api/recipients/classify`]);
  });

  it('connector down: completes once with the CONNECTOR_UNREACHABLE warning (local liste blanche)', async () => {
    const { host, logs } = load({ to: [rcpt('sophie.martin@medecin.mssante.fr')] }, undefined, { mode: 'down' });
    const calls = await send(host.handlers.get('onMessageSendHandler'));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
    expect(JSON.parse(calls[0].contextData as string).reasons).toEqual(['CONNECTOR_UNREACHABLE']);
    expect([...logs].sort()).toEqual(['[mss-outlook] onMessageSendHandler CONNECTOR_NETWORK', '[mss-outlook] onMessageSendHandler POLICY_NETWORK']);
  });

  it('no fetch at all in the runtime: never a silent pass', async () => {
    const { host } = load({ to: [rcpt('sophie.martin@medecin.mssante.fr')] }, undefined, { fetch: undefined });
    const calls = await send(host.handlers.get('onMessageSendHandler'));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
  });

  it.each(['onMessageRecipientsChangedHandler', 'onMessageAttachmentsChangedHandler'])('%s: one info bar, replaced, completes once', async (name) => {
    const { host, mailbox } = load({ to: [rcpt('dupont@gmail.com'), rcpt('jean.dupont=medecin.mssante.fr@dsp.paris')] });
    expect(await change(host.handlers.get(name))).toEqual([[]]);
    expect(await change(host.handlers.get(name))).toEqual([[]]);
    expect(mailbox.state.notificationMessages).toEqual([
      expect.objectContaining({ key: 'mssRecipients', type: 'informationalMessage', message: expect.stringMatching(/^1 destinataire hors MSSanté et 1 via passerelle \(dupont@gmail\.com, /) }),
    ]);
  });

  it('allow: completes once with allowEvent true', async () => {
    const { host } = load({ to: [rcpt('sophie.martin@medecin.mssante.fr')], body: 'Compte-rendu d’hospitalisation de Mme Durand' });
    const calls = await send(host.handlers.get('onMessageSendHandler'));
    expect(calls).toEqual([{ allowEvent: true }]);
  });

  it('warn: completes once with the French Smart Alert and PromptUser', async () => {
    const { host } = load({ to: [rcpt('dupont@gmail.com')], body: 'Compte-rendu d’hospitalisation de Mme Durand, née le 12/03/1948' });
    const calls = await send(host.handlers.get('onMessageSendHandler'));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ allowEvent: false, cancelLabel: 'Corriger', commandId: 'msgComposeOpenPaneButton', sendModeOverride: 'promptUser' });
    expect(calls[0].errorMessage).toContain('Données de santé détectées : 1 destinataire n’est pas une adresse MSSanté : dupont@gmail.com.');
  });

  it('block: completes once without sendModeOverride', async () => {
    const { host } = load({ to: [rcpt('248037512345658@patient.mssante.fr')] });
    const calls = await send(host.handlers.get('onMessageSendHandler'));
    expect(calls).toHaveLength(1);
    expect(calls[0].allowEvent).toBe(false);
    expect(calls[0]).not.toHaveProperty('sendModeOverride');
  });

  it('a failed Office call: completes once with a French warning; the log has a code, no content', async () => {
    const { host, logs } = load({ to: [rcpt('dupont@gmail.com')], body: 'Mme Durand' }, (m) => m.failOn('body.getAsync', officeError('NetworkError')));
    const calls = await send(host.handlers.get('onMessageSendHandler'));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
    expect(calls[0].errorMessage).toContain('lecture du corps du message');
    expect(logs).toEqual(['[mss-outlook] onMessageSendHandler STEP_FAILED_BODY NetworkError']);
  });
});

describe('manifest.xml', () => {
  it('every FunctionName is associated by the built file', () => {
    expect(existsSync(MANIFEST)).toBe(true);
    const names = new Set<string>();
    const parser = new SaxesParser({ xmlns: true });
    let inFunctionName = false;
    parser.on('opentag', (tag) => {
      const attr = tag.attributes.FunctionName;
      if (attr) names.add(typeof attr === 'string' ? attr : attr.value);
      inFunctionName = tag.local === 'FunctionName';
    });
    parser.on('text', (text) => {
      if (inFunctionName && text.trim()) names.add(text.trim());
    });
    parser.on('closetag', () => {
      inFunctionName = false;
    });
    parser.write(readFileSync(MANIFEST, 'utf8')).close();
    expect(names.size).toBeGreaterThan(0);
    expect(names.has('onMessageSendHandler')).toBe(true);
    const { host } = load();
    for (const name of names) expect(host.handlers.has(name)).toBe(true);
  });
});

describe('dist/launchevent.js against the real compiled connector', () => {
  let connector: ConnectorProcess;
  beforeAll(async () => {
    connector = await startConnectorProcess();
  });
  afterAll(async () => connector?.stop());

  /** Node's fetch to the connector's self-signed development certificate; the baked origin is rewritten to it. */
  function connectorFetch() {
    const { Agent } = require('node:https') as typeof import('node:https');
    const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });
    return (url: string, init: { method: string; headers?: Record<string, string>; body?: string }) =>
      new Promise((resolve, reject) => {
        const target = new URL(url.replace(BAKED_ORIGIN, connector.url));
        const req = require('node:https').request(target, { method: init.method, headers: init.headers, agent }, (res: any) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ ok: res.statusCode >= 200 && res.statusCode < 300, status: res.statusCode, json: () => Promise.resolve(JSON.parse(text)) }));
        });
        req.on('error', reject);
        if (init.body) req.write(init.body);
        req.end();
      });
  }

  it('each handler runs end to end with the connector on loopback', async () => {
    const state = { to: [rcpt('sophie.martin@medecin.mssante.fr'), rcpt('dupont@gmail.com')], body: 'Compte-rendu d’hospitalisation de Mme Durand, née le 12/03/1948' };
    const { host, mailbox, logs } = load(state, undefined, { fetch: connectorFetch() });
    const calls = await send(host.handlers.get('onMessageSendHandler'));
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0].contextData as string)).toEqual({ source: 'smart-alert', action: 'warn', reasons: ['HEALTH_DATA_TO_NON_MSSANTE', 'MIXED_RECIPIENTS'], connector: 'ok' });
    for (const name of ['onMessageRecipientsChangedHandler', 'onMessageAttachmentsChangedHandler']) expect(await change(host.handlers.get(name))).toEqual([[]]);
    expect(mailbox.state.notificationMessages.map((n) => n.message)).toEqual(['1 destinataire hors MSSanté (dupont@gmail.com) : pas de données de santé en clair.']);
    expect(logs).toEqual([]);
  });
});
