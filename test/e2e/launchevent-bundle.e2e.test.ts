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

const REPO_ROOT = join(__dirname, '..', '..');
const BUNDLE = join(REPO_ROOT, 'dist', 'launchevent.js');
const MANIFEST = join(REPO_ROOT, 'manifest.xml');
const { classicScriptProblems } = require(join(REPO_ROOT, 'webpack.config.js')) as { classicScriptProblems: (s: string) => string[] };

let source: string;

beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error('dist/launchevent.js manque : lancez « npm run build:web ».');
  source = readFileSync(BUNDLE, 'utf8');
});

/** Loads the bundle in a fresh bare context over `state`; returns the context, the fake host and the console lines. */
function load(state: Partial<FakeMailboxState> = {}, prepare?: (m: FakeMailbox) => void) {
  const mailbox = new FakeMailbox(state);
  prepare?.(mailbox);
  const host = createFakeOffice(mailbox);
  const logs: string[] = [];
  const log = (...a: unknown[]) => logs.push(a.map(String).join(' '));
  const context: Context = createContext({ Office: host.office, console: { log, info: log, warn: log, error: log } });
  runInContext(source, context, { filename: 'launchevent.js' });
  return { context, host, mailbox, logs };
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

  it('loads in a bare context with no DOM and associates onMessageSendHandler', () => {
    const { context, host } = load();
    expect(runInContext('typeof window + typeof document + typeof localStorage + typeof require + typeof module', context)).toBe(
      'undefinedundefinedundefinedundefinedundefined',
    );
    expect([...host.handlers.keys()]).toEqual(['onMessageSendHandler']);
    // nothing but Office and console leaked into the global scope (iife bundle)
    expect(Object.keys(context).sort()).toEqual(['Office', 'console']);
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
    expect(calls[0].errorMessage).toContain('Données de santé vers une adresse hors MSSanté : dupont@gmail.com');
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
