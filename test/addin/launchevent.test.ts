// Runtime: Node (jest). The Smart Alerts handler imported as a module, against the harness's fake Office host (no
// Outlook runs here; the fake follows Office.js's argument parsing, asyncContext and error table). Every path must
// complete the event exactly once.
import { createFakeOffice } from '../../src/harness/fake-office-api';
import { FakeMailbox, officeError, type FakeMailboxState } from '../../src/harness/fake-mailbox';
import type * as Launchevent from '../../src/addin/launchevent/launchevent';

const PATIENT = '248037512345658@patient.mssante.fr'; // valid INS matricule: key 58 = 97 − (2480375123456 mod 97)
const HEALTH_BODY = 'Compte-rendu d’hospitalisation de Mme Durand, née le 12/03/1948.';

let associated: Map<string, unknown>;
let mod: typeof Launchevent;
let warn: jest.SpyInstance;

beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

beforeAll(() => {
  // The module associates its handler at load time: define Office first (OUTLOOK.md §6.2, office-addin-mock note).
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

/** Installs a fresh fake Office over a mailbox, runs the handler, resolves with the completions after things settle. */
async function send(state: Partial<FakeMailboxState>, prepare?: (m: FakeMailbox) => void) {
  const mailbox = new FakeMailbox(state);
  prepare?.(mailbox);
  (globalThis as any).Office = createFakeOffice(mailbox).office;
  const completed = jest.fn();
  const first = new Promise<void>((resolve) => completed.mockImplementation(() => resolve()));
  mod.onMessageSendHandler({ completed });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([first, new Promise((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 50)); // give a faulty second completion the chance to happen
  return { completed, options: completed.mock.calls[0]?.[0] as Office.SmartAlertsEventCompletedOptions, mailbox };
}

const rcpt = (emailAddress: string) => ({ emailAddress, displayName: emailAddress, recipientType: 'externalUser' as const });

describe('onMessageSendHandler', () => {
  it('is associated under the manifest FunctionName at load time', () => {
    expect(associated.get('onMessageSendHandler')).toBe(mod.onMessageSendHandler);
  });

  it('allow: MSSanté recipients only → completed({allowEvent:true}) once', async () => {
    const { completed, options } = await send({ to: [rcpt('sophie.martin@medecin.mssante.fr')], subject: 'Réunion', body: HEALTH_BODY });
    expect(completed).toHaveBeenCalledTimes(1);
    expect(options).toEqual({ allowEvent: true });
  });

  it('reads every field, subject, body as text and attachments, threading asyncContext', async () => {
    const { mailbox } = await send({ to: [rcpt('sophie.martin@medecin.mssante.fr')] }, (m) => m.addAttachment('CRH.pdf'));
    expect(mailbox.calls).toEqual(['to.getAsync', 'cc.getAsync', 'bcc.getAsync', 'subject.getAsync', 'body.getAsync', 'getAttachmentsAsync']);
  });

  it('warn: health data to a gmail address → PromptUser, Corriger, task pane command, French text ≤ 500', async () => {
    const { completed, options } = await send({ to: [rcpt('dupont@gmail.com')], body: HEALTH_BODY });
    expect(completed).toHaveBeenCalledTimes(1);
    expect(options).toMatchObject({
      allowEvent: false,
      cancelLabel: 'Corriger',
      commandId: 'msgComposeOpenPaneButton',
      sendModeOverride: 'promptUser',
    });
    expect(options.errorMessage).toMatch(/^Vérifiez ce message avant de l’envoyer\./);
    expect(options.errorMessage).toContain('dupont@gmail.com');
    expect(options.errorMessage!.length).toBeLessThanOrEqual(500);
    expect(options.errorMessageMarkdown).toMatch(/^\*\*Vérifiez ce message/);
    expect(options.errorMessageMarkdown!.length).toBeLessThanOrEqual(500);
    expect(options.cancelLabel!.length).toBeLessThanOrEqual(20);
  });

  it('health data in an attachment name only is still seen', async () => {
    const without = await send({ to: [rcpt('dupont@gmail.com')], subject: 'Documents' });
    expect(without.options).toEqual({ allowEvent: true });
    const { options } = await send({ to: [rcpt('dupont@gmail.com')], subject: 'Documents' }, (m) => m.addAttachment('Ordonnance Mme Durand.pdf'));
    expect(options).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
  });

  it('block: a patient address without qualified INS → no sendModeOverride (the manifest SoftBlock applies)', async () => {
    const { completed, options } = await send({ to: [rcpt(PATIENT)], body: 'Bonjour, voici votre rendez-vous.' });
    expect(completed).toHaveBeenCalledTimes(1);
    expect(options.allowEvent).toBe(false);
    expect(options.sendModeOverride).toBeUndefined();
    expect(options).toMatchObject({ cancelLabel: 'Corriger', commandId: 'msgComposeOpenPaneButton' });
    expect(options.errorMessage).toMatch(/^Envoi bloqué par la politique MSSanté/);
  });

  it('block: an invalid recipient', async () => {
    const { completed, options } = await send({ to: [rcpt('pas une adresse')] });
    expect(completed).toHaveBeenCalledTimes(1);
    expect(options).toMatchObject({ allowEvent: false });
    expect(options.sendModeOverride).toBeUndefined();
  });

  it('no errorMessageMarkdown on clients below Mailbox 1.15', async () => {
    const { options } = await send({ mailboxVersion: '1.14', to: [rcpt('dupont@gmail.com')], body: HEALTH_BODY });
    expect(options.errorMessage).toBeTruthy();
    expect(options.errorMessageMarkdown).toBeUndefined();
  });

  it.each(['to.getAsync', 'cc.getAsync', 'bcc.getAsync', 'subject.getAsync', 'body.getAsync', 'getAttachmentsAsync'])(
    'error: %s fails → one French warning that lets the user choose',
    async (operation) => {
      const { completed, options } = await send({ to: [rcpt('sophie.martin@medecin.mssante.fr')] }, (m) =>
        m.failOn(operation, officeError('NetworkError')),
      );
      expect(completed).toHaveBeenCalledTimes(1);
      expect(options).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser', cancelLabel: 'Corriger' });
      expect(options.errorMessage).toMatch(/^La vérification MSSanté n’a pas pu aboutir \(lecture/);
      // logs carry a code and the Office error name, never an address or content (STYLE.md rule 10)
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[mss-outlook\] onMessageSendHandler STEP_FAILED_\w+ NetworkError$/));
      expect(JSON.stringify(warn.mock.calls)).not.toMatch(/@|mssante/);
    },
  );

  it('error: no item (thrown synchronously) → one French warning', async () => {
    (globalThis as any).Office = { ...createFakeOffice(new FakeMailbox()).office, context: { mailbox: {} } };
    (globalThis as any).Office.MailboxEnums = { SendModeOverride: { PromptUser: 'promptUser' } };
    const completed = jest.fn();
    mod.onMessageSendHandler({ completed });
    expect(completed).toHaveBeenCalledTimes(1);
    expect(completed.mock.calls[0][0]).toMatchObject({ allowEvent: false, sendModeOverride: 'promptUser' });
    expect(completed.mock.calls[0][0].errorMessage).toContain('démarrage de la vérification');
  });

  it('error: an Office call that throws synchronously → one warning', async () => {
    const mailbox = new FakeMailbox({ to: [rcpt('a@b.fr')] });
    const office = createFakeOffice(mailbox).office;
    office.context.mailbox.item.body.getAsync = () => {
      throw new Error('Sys.ArgumentException');
    };
    (globalThis as any).Office = office;
    const completed = jest.fn();
    mod.onMessageSendHandler({ completed });
    await new Promise((r) => setTimeout(r, 50));
    expect(completed).toHaveBeenCalledTimes(1);
    expect(completed.mock.calls[0][0].errorMessage).toContain('lecture du corps du message');
  });

  it('error: the check itself throws (classification) → one warning', async () => {
    const mailbox = new FakeMailbox({ to: [rcpt('a@b.fr')] });
    const office = createFakeOffice(mailbox).office;
    const getAsync = office.context.mailbox.item.to.getAsync;
    // a client returning something that is not an array of EmailAddressDetails
    office.context.mailbox.item.to.getAsync = (options: any, cb: any) => getAsync(options, (r: any) => cb({ ...r, value: [null] }));
    (globalThis as any).Office = office;
    const completed = jest.fn();
    mod.onMessageSendHandler({ completed });
    await new Promise((r) => setTimeout(r, 50));
    expect(completed).toHaveBeenCalledTimes(1);
    expect(completed.mock.calls[0][0].errorMessage).toContain('analyse du message');
  });
});

describe('completeOnce', () => {
  it('calls event.completed once whatever happens, even if completed throws', () => {
    const completed = jest.fn(() => {
      throw new Error('host refused');
    });
    const complete = mod.completeOnce({ completed });
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
    reasons: ['HEALTH_DATA_TO_NON_MSSANTE', 'MIXED_RECIPIENTS', 'GATEWAY_RECIPIENT', 'INVALID_RECIPIENT', 'NO_RECIPIENT']
      .slice(0, n)
      .map((code) => ({ code, action: 'warn', addresses: Array.from({ length: addresses }, (_, i) => long(i)), message: 'long' })),
    fixes: [{ type: 'split', label: 'Envoyer deux messages' }],
    detection: { healthData: true, score: 10, findings: [] },
  });

  it('one short line per reason with its addresses (at most 3 named)', () => {
    const t = mod.alertTexts({ ...verdict(1), reasons: [{ code: 'HEALTH_DATA_TO_NON_MSSANTE', action: 'warn', addresses: ['a@gmail.com', 'b@gmail.com', 'c@x.fr', 'd@x.fr'], message: '' }] });
    expect(t.errorMessage).toBe(
      'Vérifiez ce message avant de l’envoyer. Données de santé vers une adresse hors MSSanté : a@gmail.com, b@gmail.com, c@x.fr et 1 autre. ' +
        'Choisissez « Corriger » pour voir les destinataires en cause, ou envoyez quand même.',
    );
    expect(t.errorMessageMarkdown).toBe(
      '**Vérifiez ce message avant de l’envoyer.**\n\n- Données de santé vers une adresse hors MSSanté : a@gmail.com, b@gmail.com, c@x.fr et 1 autre\r\n\n' +
        'Choisissez « Corriger » pour voir les destinataires en cause, ou envoyez quand même.',
    );
  });

  it('stay within 500 characters and keep the final instruction', () => {
    const t = mod.alertTexts(verdict(5, 3));
    expect(t.errorMessage.length).toBeLessThanOrEqual(500);
    expect(t.errorMessage).toMatch(/envoyez quand même\.$/);
    expect(t.errorMessageMarkdown.length).toBeLessThanOrEqual(500);
    expect(t.errorMessageMarkdown).toMatch(/^\*\*Vérifiez[^]*\r\n\nChoisissez[^]*envoyez quand même\.$/);
  });

  it('escape Markdown in addresses', () => {
    const t = mod.alertTexts({ ...verdict(1), reasons: [{ code: 'INVALID_RECIPIENT', action: 'block', addresses: ['*x*_[y](z)'], message: '' }] });
    expect(t.errorMessageMarkdown).toContain('Adresse invalide : \\*x\\*\\_\\[y\\]\\(z\\)\r');
  });

  it('completedOptionsFor maps allow / warn / block in one place', () => {
    expect(mod.completedOptionsFor({ ...verdict(1), action: 'allow' }, true)).toEqual({ allowEvent: true });
    expect(mod.completedOptionsFor(verdict(1), true).sendModeOverride).toBe('promptUser');
    expect(mod.completedOptionsFor({ ...verdict(1), action: 'block' }, true).sendModeOverride).toBeUndefined();
    expect(mod.completedOptionsFor(verdict(1), false).errorMessageMarkdown).toBeUndefined();
  });
});
