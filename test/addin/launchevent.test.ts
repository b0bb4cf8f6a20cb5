// Runtime: Node (jest). The launch-event handlers imported as a module, against the harness's fake Office host (no
// Outlook runs here; the fake follows Office.js's argument parsing, asyncContext and error table) and a fake connector
// fetch that answers with the core's own classifier (test/helpers/fake-connector-fetch.ts). Every path must complete
// the event exactly once. The built file is tested the same way in a bare vm context (test/e2e/launchevent-bundle).
import { DEFAULT_POLICY, type Policy, type PolicyMode } from '../../src/core';
import { createFakeOffice } from '../../src/harness/fake-office-api';
import { FakeMailbox, officeError, type FakeMailboxState } from '../../src/harness/fake-mailbox';
import type * as Launchevent from '../../src/addin/launchevent/launchevent';
import { fakeConnectorFetch, type FakeConnectorOptions } from '../helpers/fake-connector-fetch';

const ORIGIN = 'https://mss.exemple.fr';
const PATIENT = '248037512345658@patient.mssante.fr'; // valid INS matricule: key 58 = 97 − (2480375123456 mod 97)
const MSS1 = 'sophie.martin@medecin.mssante.fr';
const MSS2 = 'secretariat.cardio@infirmier.mssante.fr';
const GMAIL = 'dupont@gmail.com';
const WANADOO = 'b.durand@wanadoo.fr';
const GATEWAY = 'jean.dupont=medecin.mssante.fr@dsp.paris';
const HEALTH_BODY = 'Compte-rendu d’hospitalisation de Mme Durand, née le 12/03/1948.';

let associated: Map<string, unknown>;
let mod: typeof Launchevent;
let warn: jest.SpyInstance;

beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

beforeAll(() => {
  // The module associates its handlers at load time: define Office first (OUTLOOK.md §6.2, office-addin-mock note).
  const first = createFakeOffice(new FakeMailbox());
  (globalThis as any).Office = first.office;
  associated = first.handlers;
  jest.isolateModules(() => {
    mod = require('../../src/addin/launchevent/launchevent');
  });
});

afterAll(() => {
  delete (globalThis as any).Office;
});

const rcpt = (emailAddress: string) => ({ emailAddress, displayName: emailAddress, recipientType: 'externalUser' as const });

interface Run {
  completed: jest.Mock;
  options: Office.SmartAlertsEventCompletedOptions;
  mailbox: FakeMailbox;
  office: any;
  connector: ReturnType<typeof fakeConnectorFetch>;
  context: any;
}

/** Installs a fresh fake Office over a mailbox and a fake connector, runs the send handler, waits for completion. */
async function send(
  state: Partial<FakeMailboxState>,
  o: { connector?: FakeConnectorOptions; prepare?: (m: FakeMailbox, office: any) => void; timeoutMs?: number } = {},
): Promise<Run> {
  const mailbox = new FakeMailbox(state);
  const office = createFakeOffice(mailbox).office;
  o.prepare?.(mailbox, office);
  (globalThis as any).Office = office;
  const connector = fakeConnectorFetch(o.connector);
  const handlers = mod.createHandlers({ fetch: connector.fetch as any, origin: ORIGIN, timeoutMs: o.timeoutMs ?? 300 });
  const completed = jest.fn();
  const first = new Promise<void>((resolve) => completed.mockImplementation(() => resolve()));
  handlers.onMessageSendHandler({ completed });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([first, new Promise((r) => (timer = setTimeout(r, 3000)))]);
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 50)); // give a faulty second completion the chance to happen
  const options = completed.mock.calls[0]?.[0] as Office.SmartAlertsEventCompletedOptions;
  const context = options?.contextData ? JSON.parse(options.contextData as string) : undefined;
  return { completed, options, mailbox, office, connector, context };
}

describe('association', () => {
  it('associates the three manifest FunctionNames at load time', () => {
    expect([...associated.keys()].sort()).toEqual(['onMessageAttachmentsChangedHandler', 'onMessageRecipientsChangedHandler', 'onMessageSendHandler']);
    expect(associated.get('onMessageSendHandler')).toBe(mod.onMessageSendHandler);
    expect(associated.get('onMessageRecipientsChangedHandler')).toBe(mod.onMessageRecipientsChangedHandler);
    expect(associated.get('onMessageAttachmentsChangedHandler')).toBe(mod.onMessageAttachmentsChangedHandler);
  });
});

describe('onMessageSendHandler: connector calls', () => {
  it('ONE batched classify call with every recipient (absolute URL) and one policy call', async () => {
    const { connector, mailbox } = await send({ to: [rcpt(MSS1), rcpt(GMAIL)], cc: [rcpt(MSS2)], bcc: [rcpt(WANADOO)] });
    const classify = connector.calls.filter((c) => c.url.endsWith('/api/recipients/classify'));
    expect(classify).toEqual([{ url: `${ORIGIN}/api/recipients/classify`, method: 'POST', body: { addresses: [MSS1, GMAIL, MSS2, WANADOO] } }]);
    expect(connector.calls.filter((c) => c.url === `${ORIGIN}/api/policy`)).toEqual([{ url: `${ORIGIN}/api/policy`, method: 'GET' }]);
    expect(connector.calls).toHaveLength(2);
    expect([...mailbox.calls].sort()).toEqual(['bcc.getAsync', 'body.getAsync', 'cc.getAsync', 'getAttachmentsAsync', 'roamingSettings.saveAsync', 'subject.getAsync', 'to.getAsync']);
  });

  it('trusts the connector answer (directory identity, its own gateways) over the local liste blanche', async () => {
    // The connector says GMAIL is an MSSanté mailbox (as a directory entry would): the handler follows the connector.
    const connector = fakeConnectorFetch();
    const trusted = (url: string, init: any) =>
      url.endsWith('/classify')
        ? Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve({ results: [{ input: GMAIL, address: GMAIL, kind: 'mssante', reason: 'DIRECTORY_MAILBOX', mailboxType: 'PER' }] }) })
        : connector.fetch(url, init);
    (globalThis as any).Office = createFakeOffice(new FakeMailbox({ to: [rcpt(GMAIL)], body: HEALTH_BODY })).office;
    const completed = jest.fn();
    const done = new Promise<void>((r) => completed.mockImplementation(() => r()));
    mod.createHandlers({ fetch: trusted as any, origin: ORIGIN }).onMessageSendHandler({ completed });
    await done;
    expect(completed.mock.calls[0][0]).toEqual({ allowEvent: true });
  });

  it('caches the policy in roamingSettings, saved only when it changed', async () => {
    let saves = 0;
    const prepare = (_m: FakeMailbox, office: any) => {
      const save = office.context.roamingSettings.saveAsync;
      office.context.roamingSettings.saveAsync = (...a: unknown[]) => {
        saves++;
        return save(...a);
      };
    };
    const policy: Policy = { ...DEFAULT_POLICY, mixedRecipients: 'block' };
    const { office } = await send({ to: [rcpt(MSS1)] }, { connector: { policy }, prepare });
    expect(office.context.roamingSettings.get('mssPolicy')).toEqual({ policy, gateways: [expect.objectContaining({ id: 'dsp-paris' })], internalDomains: ['m2a.paris'] });
    expect(saves).toBe(1);
  });
});

// ---- policy modes × recipient mixes ---------------------------------------------------------------------------------

const ALL = (mode: PolicyMode): Policy => ({
  healthDataToNonMssante: mode,
  mixedRecipients: mode,
  gatewayRecipient: mode,
  patientWithoutQualifiedIns: mode,
  connectorDown: mode,
});
const POLICIES: [string, Policy][] = [
  ['default', DEFAULT_POLICY],
  ['all block', ALL('block')],
  ['all off', ALL('off')],
];
type Mix = 'all MSSanté' | 'none' | 'mixed' | 'gateway' | 'patient' | 'connector down';
const MIXES: Record<Mix, { state: Partial<FakeMailboxState>; down?: boolean }> = {
  'all MSSanté': { state: { to: [rcpt(MSS1)], cc: [rcpt(MSS2)] } },
  none: { state: {} },
  mixed: { state: { to: [rcpt(MSS1), rcpt(GMAIL)], cc: [rcpt(WANADOO)] } },
  gateway: { state: { to: [rcpt(GATEWAY)] } },
  patient: { state: { to: [rcpt(PATIENT)] } },
  'connector down': { state: { to: [rcpt(MSS1)] }, down: true },
};
// [mix, policy] → [action, reason codes]; the body carries health data in every case.
const EXPECTED: Record<Mix, Record<string, [string, string[]]>> = {
  'all MSSanté': { default: ['allow', []], 'all block': ['allow', []], 'all off': ['allow', []] },
  none: { default: ['warn', ['NO_RECIPIENT']], 'all block': ['warn', ['NO_RECIPIENT']], 'all off': ['warn', ['NO_RECIPIENT']] },
  mixed: {
    default: ['warn', ['HEALTH_DATA_TO_NON_MSSANTE', 'MIXED_RECIPIENTS']],
    'all block': ['block', ['HEALTH_DATA_TO_NON_MSSANTE', 'MIXED_RECIPIENTS']],
    'all off': ['allow', []],
  },
  gateway: {
    default: ['warn', ['HEALTH_DATA_TO_NON_MSSANTE', 'GATEWAY_RECIPIENT']],
    'all block': ['block', ['HEALTH_DATA_TO_NON_MSSANTE', 'GATEWAY_RECIPIENT']],
    'all off': ['allow', []],
  },
  patient: {
    default: ['block', ['PATIENT_WITHOUT_QUALIFIED_INS']],
    'all block': ['block', ['PATIENT_WITHOUT_QUALIFIED_INS']],
    'all off': ['allow', []],
  },
  'connector down': {
    default: ['warn', ['CONNECTOR_UNREACHABLE']],
    'all block': ['block', ['CONNECTOR_UNREACHABLE']],
    'all off': ['allow', []],
  },
};

const matrix = (Object.keys(MIXES) as Mix[]).flatMap((mix) => POLICIES.map(([name, policy]) => [mix, name, policy] as const));

describe('onMessageSendHandler: policy mode × recipient mix', () => {
  it.each(matrix)('%s, policy %s', async (mix, name, policy) => {
    const { state, down } = MIXES[mix];
    // Connector down: the policy comes from the roaming cache of an earlier successful call.
    const prepare = (_m: FakeMailbox, office: any) => office.context.roamingSettings.set('mssPolicy', { policy, gateways: [], internalDomains: [] });
    const run = await send({ ...state, body: HEALTH_BODY }, { connector: { policy, mode: down ? 'down' : 'up' }, prepare });
    const [action, reasons] = EXPECTED[mix][name];
    expect(run.completed).toHaveBeenCalledTimes(1);
    if (action === 'allow') {
      expect(run.options).toEqual({ allowEvent: true });
      return;
    }
    expect(run.options).toMatchObject({ allowEvent: false, cancelLabel: 'Corriger', commandId: 'msgComposeOpenPaneButton' });
    expect(run.context).toEqual({ source: 'smart-alert', action, reasons, connector: down ? 'unreachable' : 'ok' });
    if (action === 'warn') expect(run.options.sendModeOverride).toBe('promptUser');
    else expect(run.options.sendModeOverride).toBeUndefined();
    expect(run.options.errorMessage!.length).toBeLessThanOrEqual(500);
    expect(run.options.errorMessageMarkdown!.length).toBeLessThanOrEqual(500);
    expect(run.options.cancelLabel!.length).toBeLessThanOrEqual(20);
    // contextData: codes only, never an address nor content
    expect(run.options.contextData).not.toMatch(/@|Durand|hospitalisation/);
  });
});

describe('onMessageSendHandler: texts', () => {
  it('names the problem and the fix: "2 destinataires ne sont pas des adresses MSSanté : ..."', async () => {
    const { options } = await send({ to: [rcpt(MSS1), rcpt(GMAIL)], cc: [rcpt(WANADOO)], body: HEALTH_BODY });
    expect(options.errorMessage).toBe(
      'Vérifiez ce message avant de l’envoyer. Données de santé détectées : 2 destinataires ne sont pas des adresses MSSanté : ' +
        'dupont@gmail.com, b.durand@wanadoo.fr. Retirez-les ou envoyez en MSSanté. « Corriger » ouvre le volet Envoyer en MSSanté, ou envoyez quand même.',
    );
    expect(options.errorMessageMarkdown).toBe(
      '**Vérifiez ce message avant de l’envoyer.**\n\n- Données de santé détectées : 2 destinataires ne sont pas des adresses MSSanté : ' +
        'dupont@gmail.com, b.durand@wanadoo.fr. Retirez\\-les ou envoyez en MSSanté.\r\n\n« Corriger » ouvre le volet Envoyer en MSSanté, ou envoyez quand même.',
    );
  });

  it('health data in an attachment name only is still seen', async () => {
    const without = await send({ to: [rcpt(GMAIL)], subject: 'Documents' });
    expect(without.options).toEqual({ allowEvent: true });
    const { options } = await send({ to: [rcpt(GMAIL)], subject: 'Documents' }, { prepare: (m) => m.addAttachment('Ordonnance Mme Durand.pdf') });
    expect(options).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
  });

  it('an Outlook category or sensitivity label naming health data counts, where the client offers them', async () => {
    const ok = (value: unknown) => (cb: (r: unknown) => void) => setTimeout(() => cb({ status: 'succeeded', value }), 0);
    const categories = (names: string[]) => (_m: FakeMailbox, office: any) => {
      office.context.mailbox.item.categories = { getAsync: ok(names.map((displayName) => ({ displayName, color: 'preset0' }))) };
    };
    // a neutral message to gmail passes...
    expect((await send({ to: [rcpt(GMAIL)], subject: 'Point hebdomadaire' })).options).toEqual({ allowEvent: true });
    // ...unless the sender tagged it « Données de santé » (category)
    const tagged = await send({ to: [rcpt(GMAIL)], subject: 'Point hebdomadaire' }, { prepare: categories(['Données de santé']) });
    expect(tagged.options).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
    expect(tagged.context.reasons).toContain('HEALTH_DATA_TO_NON_MSSANTE');
    // a generic category is no declaration
    expect((await send({ to: [rcpt(GMAIL)], subject: 'Point hebdomadaire' }, { prepare: categories(['Urgent']) })).options).toEqual({ allowEvent: true });
    // the Purview sensitivity label « Confidentiel – Médical », looked up by id in the catalog (Mailbox 1.13)
    const labelled = await send({ to: [rcpt(GMAIL)], subject: 'Point hebdomadaire' }, {
      prepare: (_m, office) => {
        office.context.sensitivityLabelsCatalog = {
          getAsync: ok([{ id: 'l1', name: 'Général', children: [] }, { id: 'l2', name: 'Confidentiel', children: [{ id: 'l3', name: 'Confidentiel – Médical', children: [] }] }]),
        };
        office.context.mailbox.item.sensitivityLabel = { getAsync: ok('l3') };
      },
    });
    expect(labelled.options).toMatchObject({ allowEvent: false });
    expect(labelled.completed).toHaveBeenCalledTimes(1);
    // a failing categories call is ignored: the check still completes once, on the other signals
    const failing = await send({ to: [rcpt(GMAIL)], body: HEALTH_BODY }, {
      prepare: (_m, office) => {
        office.context.mailbox.item.categories = { getAsync: (cb: (r: unknown) => void) => setTimeout(() => cb({ status: 'failed', error: { code: 9041, name: 'NetworkError' } }), 0) };
      },
    });
    expect(failing.completed).toHaveBeenCalledTimes(1);
    expect(failing.options).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
  });

  it('no errorMessageMarkdown on clients below Mailbox 1.15 (feature-detected)', async () => {
    const { options } = await send({ mailboxVersion: '1.14', to: [rcpt(GMAIL)], body: HEALTH_BODY });
    expect(options.errorMessage).toBeTruthy();
    expect(options.errorMessageMarkdown).toBeUndefined();
  });
});

describe('onMessageSendHandler: connector unreachable', () => {
  it.each([['down' as const], [500 as const], ['bad' as const], ['hang' as const]])(
    'connector %s → local liste blanche, CONNECTOR_UNREACHABLE warning (default policy, no cache), once',
    async (mode) => {
      const t0 = Date.now();
      const { completed, options, context } = await send({ to: [rcpt(MSS1)] }, { connector: { mode }, timeoutMs: 200 });
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(completed).toHaveBeenCalledTimes(1);
      expect(options).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
      expect(context.reasons).toEqual(['CONNECTOR_UNREACHABLE']);
      expect(options.errorMessage).toContain('Connecteur MSSanté injoignable');
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[mss-outlook\] onMessageSendHandler CONNECTOR_/));
    },
  );

  it('health data to gmail while the connector is down: still caught locally', async () => {
    const { context } = await send({ to: [rcpt(GMAIL)], body: HEALTH_BODY }, { connector: { mode: 'down' } });
    expect(context.reasons).toEqual(['HEALTH_DATA_TO_NON_MSSANTE', 'CONNECTOR_UNREACHABLE']);
  });

  it('the cached gateways are used by the local classification', async () => {
    const prepare = (_m: FakeMailbox, office: any) =>
      office.context.roamingSettings.set('mssPolicy', { policy: { ...DEFAULT_POLICY, connectorDown: 'off' }, gateways: [{ id: 'g', domain: 'dsp.paris', localTemplate: '{local}={domain}' }], internalDomains: [] });
    const { context } = await send({ to: [rcpt(GATEWAY)] }, { connector: { mode: 'down' }, prepare });
    expect(context.reasons).toEqual(['GATEWAY_RECIPIENT']);
  });

  it('no origin known (no location, no build constant) counts as unreachable, never a silent pass', async () => {
    (globalThis as any).Office = createFakeOffice(new FakeMailbox({ to: [rcpt(MSS1)] })).office;
    const completed = jest.fn();
    const done = new Promise<void>((r) => completed.mockImplementation(() => r()));
    mod.createHandlers({ fetch: fakeConnectorFetch().fetch as any, origin: '' }).onMessageSendHandler({ completed });
    await done;
    expect(completed.mock.calls[0][0]).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
  });
});

describe('onMessageSendHandler: the check itself fails', () => {
  it.each(['to.getAsync', 'cc.getAsync', 'bcc.getAsync', 'subject.getAsync', 'body.getAsync', 'getAttachmentsAsync'])(
    'error: %s fails → one French warning that lets the user choose',
    async (operation) => {
      const { completed, options } = await send({ to: [rcpt(MSS1)] }, { prepare: (m) => m.failOn(operation, officeError('NetworkError')) });
      expect(completed).toHaveBeenCalledTimes(1);
      expect(options).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser', cancelLabel: 'Corriger', commandId: 'msgComposeOpenPaneButton' });
      expect(options.errorMessage).toMatch(/^La vérification MSSanté n’a pas pu aboutir \(lecture/);
      expect(JSON.parse(options.contextData as string)).toMatchObject({ reasons: ['CHECK_FAILED'] });
      // logs carry a code and the Office error name, never an address or content (STYLE.md rule 10)
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[mss-outlook\] onMessageSendHandler STEP_FAILED_\w+ NetworkError$/));
      expect(JSON.stringify(warn.mock.calls)).not.toMatch(/@|mssante/);
    },
  );

  it('error: no item (thrown synchronously) → one French warning', async () => {
    (globalThis as any).Office = { ...createFakeOffice(new FakeMailbox()).office, context: { mailbox: {} } };
    (globalThis as any).Office.MailboxEnums = { SendModeOverride: { PromptUser: 'promptUser' } };
    const completed = jest.fn();
    mod.createHandlers({ fetch: fakeConnectorFetch().fetch as any, origin: ORIGIN }).onMessageSendHandler({ completed });
    expect(completed).toHaveBeenCalledTimes(1);
    expect(completed.mock.calls[0][0]).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
    expect(completed.mock.calls[0][0].errorMessage).toContain('démarrage de la vérification');
  });

  it('error: an Office call that throws synchronously → one warning', async () => {
    const { completed, options } = await send({ to: [rcpt('a@b.fr')] }, {
      prepare: (_m, office) => {
        office.context.mailbox.item.body.getAsync = () => {
          throw new Error('Sys.ArgumentException');
        };
      },
    });
    expect(completed).toHaveBeenCalledTimes(1);
    expect(options.errorMessage).toContain('démarrage de la vérification');
  });

  it('error: the check itself throws (a recipient that is not EmailAddressDetails) → one warning, never a pass', async () => {
    const { completed, options } = await send({ to: [rcpt('a@b.fr')] }, {
      prepare: (_m, office) => {
        const getAsync = office.context.mailbox.item.to.getAsync;
        office.context.mailbox.item.to.getAsync = (cb: any) => getAsync((r: any) => cb({ ...r, value: [null] }));
      },
    });
    expect(completed).toHaveBeenCalledTimes(1);
    expect(options.allowEvent).toBe(false);
  });

  it('a connector answer after the timeout does not complete twice', async () => {
    const { completed } = await send({ to: [rcpt(MSS1)] }, { connector: { delayMs: 150 }, timeoutMs: 20 });
    await new Promise((r) => setTimeout(r, 250));
    expect(completed).toHaveBeenCalledTimes(1);
  });
});

describe('completeOnce', () => {
  it('calls event.completed once whatever happens, even if completed throws', () => {
    const completed = jest.fn(() => {
      throw new Error('host refused');
    });
    const complete = mod.completeOnce({ completed }, 'onMessageSendHandler');
    expect(complete({ allowEvent: true })).toBe(true);
    expect(complete({ allowEvent: false })).toBe(false);
    expect(completed).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/COMPLETED_THREW/));
  });
});

describe('alert texts', () => {
  const long = (i: number) => `soignant.${i}.${'x'.repeat(40)}@gmail.com`;
  const verdict = (n: number, addresses = 1): any => ({
    action: 'warn',
    reasons: ['HEALTH_DATA_TO_NON_MSSANTE', 'GATEWAY_RECIPIENT', 'PATIENT_WITHOUT_QUALIFIED_INS', 'INVALID_RECIPIENT', 'CONNECTOR_UNREACHABLE']
      .slice(0, n)
      .map((code) => ({ code, action: 'warn', addresses: Array.from({ length: addresses }, (_, i) => long(i)), message: 'long' })),
    fixes: [],
    detection: { healthData: true, score: 10, findings: [] },
  });

  it('at most 3 addresses named per line', () => {
    const t = mod.alertTexts({ ...verdict(1), reasons: [{ code: 'HEALTH_DATA_TO_NON_MSSANTE', action: 'warn', addresses: ['a@gmail.com', 'b@gmail.com', 'c@x.fr', 'd@x.fr'], message: '' }] });
    expect(t.errorMessage).toContain('4 destinataires ne sont pas des adresses MSSanté : a@gmail.com, b@gmail.com, c@x.fr et 1 autre.');
  });

  it('stay within 500 characters and keep the final instruction, dropping whole lines', () => {
    const t = mod.alertTexts(verdict(5, 3));
    expect(t.errorMessage.length).toBeLessThanOrEqual(500);
    expect(t.errorMessage).toMatch(/envoyez quand même\.$/);
    expect(t.errorMessageMarkdown.length).toBeLessThanOrEqual(500);
    expect(t.errorMessageMarkdown).toMatch(/^\*\*Vérifiez[^]*\r\n\n« Corriger »[^]*envoyez quand même\.$/);
  });

  it('escape Markdown in addresses', () => {
    const t = mod.alertTexts({ ...verdict(1), reasons: [{ code: 'INVALID_RECIPIENT', action: 'block', addresses: ['*x*_[y](z)'], message: '' }] });
    expect(t.errorMessageMarkdown).toContain('1 adresse invalide : \\*x\\*\\_\\[y\\]\\(z\\)');
  });

  it('completedOptionsFor maps allow / warn / block in one place', () => {
    expect(mod.completedOptionsFor({ ...verdict(1), action: 'allow' }, true)).toEqual({ allowEvent: true });
    expect(mod.completedOptionsFor(verdict(1), true).sendModeOverride).toBe('promptUser');
    expect(mod.completedOptionsFor({ ...verdict(1), action: 'block' }, true).sendModeOverride).toBeUndefined();
    expect(mod.completedOptionsFor(verdict(1), false).errorMessageMarkdown).toBeUndefined();
  });
});

// ---- info bar ----------------------------------------------------------------------------------------------------

describe('onMessageRecipientsChangedHandler / onMessageAttachmentsChangedHandler: one info bar', () => {
  async function change(mailbox: FakeMailbox, which: 'recipients' | 'attachments', connector = fakeConnectorFetch()) {
    const handlers = mod.createHandlers({ fetch: connector.fetch as any, origin: ORIGIN, timeoutMs: 200 });
    const completed = jest.fn();
    const done = new Promise<void>((r) => completed.mockImplementation(() => r()));
    const event = { type: which === 'recipients' ? 'olkRecipientsChanged' : 'olkAttachmentsChanged', completed };
    if (which === 'recipients') handlers.onMessageRecipientsChangedHandler(event);
    else handlers.onMessageAttachmentsChangedHandler(event);
    await done;
    await new Promise((r) => setTimeout(r, 30));
    expect(completed).toHaveBeenCalledTimes(1);
    expect(completed.mock.calls[0]).toEqual([]);
    return mailbox.state.notificationMessages;
  }

  beforeEach(() => undefined);

  it('summarises recipients outside MSSanté and behind a gateway, replaced on each change, never piling up', async () => {
    const mailbox = new FakeMailbox({ to: [rcpt(MSS1), rcpt(GMAIL)] });
    (globalThis as any).Office = createFakeOffice(mailbox).office;
    let bars = await change(mailbox, 'recipients');
    expect(bars).toEqual([
      { key: 'mssRecipients', type: 'informationalMessage', message: '1 destinataire hors MSSanté (dupont@gmail.com) : pas de données de santé en clair.', icon: 'Icon.16x16', persistent: false },
    ]);
    mailbox.setRecipients('cc', [WANADOO, GATEWAY]);
    bars = await change(mailbox, 'recipients');
    expect(bars).toHaveLength(1);
    expect(bars[0].message).toBe(
      '2 destinataires hors MSSanté et 1 via passerelle (dupont@gmail.com, b.durand@wanadoo.fr, jean.dupont=medecin.mssante.fr@dsp.paris) : pas de données de santé en clair.'.length <= 150
        ? '2 destinataires hors MSSanté et 1 via passerelle (dupont@gmail.com, b.durand@wanadoo.fr, jean.dupont=medecin.mssante.fr@dsp.paris) : pas de données de santé en clair.'
        : '2 destinataires hors MSSanté et 1 via passerelle (dupont@gmail.com, b.durand@wanadoo.fr…) : pas de données de santé en clair.',
    );
    expect(bars[0].message.length).toBeLessThanOrEqual(150);
    for (let i = 0; i < 6; i++) bars = await change(mailbox, 'attachments');
    expect(bars).toHaveLength(1); // 5 notifications at most per item: replaceAsync never adds a second one
  });

  it('removes the bar when every recipient is MSSanté, and does nothing when there was none', async () => {
    const mailbox = new FakeMailbox({ to: [rcpt(GMAIL)] });
    (globalThis as any).Office = createFakeOffice(mailbox).office;
    expect(await change(mailbox, 'recipients')).toHaveLength(1);
    mailbox.setRecipients('to', [MSS1]);
    expect(await change(mailbox, 'recipients')).toEqual([]);
    expect(await change(mailbox, 'recipients')).toEqual([]);
  });

  it('a care document attached for a non-MSSanté recipient is said first; connector down says "vérif. locale"', async () => {
    const mailbox = new FakeMailbox({ to: [rcpt(GMAIL)] });
    mailbox.addAttachment('CRH_Durand.pdf');
    (globalThis as any).Office = createFakeOffice(mailbox).office;
    const bars = await change(mailbox, 'attachments', fakeConnectorFetch({ mode: 'down' }));
    expect(bars[0].message).toBe('Pièce jointe de santé ; 1 destinataire hors MSSanté (dupont@gmail.com) : pas de données de santé en clair. (vérif. locale)');
  });

  it('an Office failure leaves the bar alone and still completes once; logs carry no address', async () => {
    const mailbox = new FakeMailbox({ to: [rcpt(GMAIL)] });
    mailbox.failOn('to.getAsync', officeError('NetworkError'));
    (globalThis as any).Office = createFakeOffice(mailbox).office;
    expect(await change(mailbox, 'recipients')).toEqual([]);
    expect(warn).toHaveBeenCalledWith('[mss-outlook] onMessageRecipientsChangedHandler STEP_FAILED_TO NetworkError');
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/@/);
  });

  it('a slower earlier change never overwrites a newer one', async () => {
    const mailbox = new FakeMailbox({ to: [rcpt(GMAIL)] });
    (globalThis as any).Office = createFakeOffice(mailbox).office;
    const slow = fakeConnectorFetch({ delayMs: 120 });
    const handlers = mod.createHandlers({ fetch: slow.fetch as any, origin: ORIGIN, timeoutMs: 1000 });
    const first = jest.fn();
    const second = jest.fn();
    handlers.onMessageRecipientsChangedHandler({ completed: first });
    await new Promise((r) => setTimeout(r, 20));
    mailbox.setRecipients('to', [MSS1]);
    slow.state.delayMs = 0;
    handlers.onMessageRecipientsChangedHandler({ completed: second });
    await new Promise((r) => setTimeout(r, 300));
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    expect(mailbox.state.notificationMessages).toEqual([]);
  });
});
