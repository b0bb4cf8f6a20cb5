// Runtime: Node (jest). The Office adapter (createOfficeMailboxPort) against the harness's fake Office host, the
// same fake the demo and the e2e test use. A fake because no Outlook runs here; the fake follows Office.js's own
// argument parsing and error table (see src/harness/fake-office-api.ts).
import { createOfficeMailboxPort, MAX_RECIPIENTS_PER_CALL, officeAsync } from '../../src/addin/office/office-mailbox';
import { MailboxPortError, type MailboxPort } from '../../src/addin/office/mailbox-port';
import { FakeMailbox, officeError, type FakeMailboxState } from '../../src/harness/fake-mailbox';
import { createFakeOffice } from '../../src/harness/fake-office-api';

function setup(initial: Partial<FakeMailboxState> = {}) {
  const mailbox = new FakeMailbox(initial);
  const handle = createFakeOffice(mailbox);
  const port = createOfficeMailboxPort(handle.office as typeof Office);
  return { mailbox, handle, port };
}

const nextTick = () => new Promise((r) => setTimeout(r, 0));

describe('createOfficeMailboxPort — compose mode', () => {
  it('reads recipients by field with Office EmailAddressDetails and recipientType', async () => {
    const { mailbox, port } = setup();
    mailbox.setRecipients('to', [{ emailAddress: 'sophie.martin@medecin.mssante.fr', displayName: 'Dr Sophie Martin' }]);
    mailbox.setRecipients('cc', ['collegue@m2a.paris']);
    mailbox.setRecipients('bcc', ['x@gmail.com']);
    expect(port.mode).toBe('compose');
    await expect(port.getRecipients()).resolves.toEqual({
      to: [{ emailAddress: 'sophie.martin@medecin.mssante.fr', displayName: 'Dr Sophie Martin', recipientType: 'externalUser' }],
      cc: [{ emailAddress: 'collegue@m2a.paris', displayName: 'collegue@m2a.paris', recipientType: 'user' }],
      bcc: [{ emailAddress: 'x@gmail.com', displayName: 'x@gmail.com', recipientType: 'externalUser' }],
    });
  });

  it('reads subject, body text, attachment names, user, compose type', async () => {
    const { mailbox, port } = setup({ composeType: 'reply' });
    mailbox.setSubject('RE: coordination');
    mailbox.setBody('Bonjour,\nCompte-rendu joint.');
    mailbox.addAttachment('CRH_Durand.pdf');
    await expect(port.getSubject()).resolves.toBe('RE: coordination');
    await expect(port.getBodyText()).resolves.toBe('Bonjour,\nCompte-rendu joint.');
    await expect(port.getAttachmentNames()).resolves.toEqual(['CRH_Durand.pdf']);
    await expect(port.getUserEmail()).resolves.toBe('secretariat@m2a.paris');
    await expect(port.getComposeType()).resolves.toBe('reply');
  });

  it('sets and adds recipients; add is split into calls of 100 (Office limit)', async () => {
    const { mailbox, port } = setup();
    await port.setRecipients('to', [{ emailAddress: 'a@medecin.mssante.fr', displayName: 'A' }, { emailAddress: 'b@gmail.com' }]);
    expect(mailbox.state.to.map((r) => [r.emailAddress, r.displayName])).toEqual([
      ['a@medecin.mssante.fr', 'A'],
      ['b@gmail.com', 'b@gmail.com'],
    ]);
    const many = Array.from({ length: 150 }, (_, i) => ({ emailAddress: `p${i}@medecin.mssante.fr` }));
    mailbox.calls.length = 0;
    await port.addRecipients('cc', many);
    expect(mailbox.calls.filter((c) => c === 'cc.addAsync')).toHaveLength(2);
    expect(mailbox.state.cc).toHaveLength(150);
    expect(mailbox.state.cc[149].emailAddress).toBe('p149@medecin.mssante.fr');
  });

  it('refuses setRecipients above 100 (cannot be split atomically)', async () => {
    const { port } = setup();
    const many = Array.from({ length: MAX_RECIPIENTS_PER_CALL + 1 }, (_, i) => ({ emailAddress: `p${i}@x.fr` }));
    await expect(port.setRecipients('to', many)).rejects.toMatchObject({ name: 'MailboxPortError', code: 'NOT_SUPPORTED' });
  });

  it('turns a failed Office call into a rejected promise keeping the Office error name and code', async () => {
    const { mailbox, port } = setup();
    mailbox.failOn('cc.getAsync', officeError('NetworkError'), 1);
    const err = await port.getRecipients().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailboxPortError);
    expect(err).toMatchObject({ code: 'OFFICE_CALL_FAILED', operation: 'cc.getAsync', officeName: 'NetworkError', officeCode: 9041 });
    // one-shot failure: the next call succeeds
    await expect(port.getRecipients()).resolves.toMatchObject({ to: [], cc: [], bcc: [] });
  });

  it.each([
    ['subject.getAsync', (p: MailboxPort) => p.getSubject()],
    ['body.getAsync', (p: MailboxPort) => p.getBodyText()],
    ['getAttachmentsAsync', (p: MailboxPort) => p.getAttachmentNames()],
    ['getComposeTypeAsync', (p: MailboxPort) => p.getComposeType()],
    ['to.setAsync', (p: MailboxPort) => p.setRecipients('to', [{ emailAddress: 'a@b.fr' }])],
    ['sessionData.setAsync', (p: MailboxPort) => p.setSessionData('k', 'v')],
  ])('%s failure rejects with the Office error', async (operation, call) => {
    const { mailbox, port } = setup();
    mailbox.failOn(operation, officeError('InvalidParameterValueError'));
    await expect(call(port)).rejects.toMatchObject({ operation, officeName: 'InvalidParameterValueError', officeCode: 9031 });
  });

  it('an Office argument error thrown synchronously becomes a rejection, not a crash', async () => {
    const { handle } = setup();
    // Office throws Sys.ArgumentOutOfRangeException synchronously for more than 100 recipients in one addAsync call.
    const office = handle.office as typeof Office;
    const item = office.context.mailbox.item as Office.MessageCompose;
    const tooMany = Array.from({ length: 101 }, () => 'a@b.fr');
    expect(() => item.to.addAsync(tooMany, () => undefined)).toThrow(/ArgumentOutOfRange/);
    await expect(officeAsync<void>(office, 'to.addAsync', (cb) => item.to.addAsync(tooMany, cb))).rejects.toThrow(
      /ArgumentOutOfRange/,
    );
  });

  it('session data: absent key is undefined, stored value comes back, over-limit is the Office error', async () => {
    const { port } = setup();
    await expect(port.getSessionData('verdict')).resolves.toBeUndefined();
    await port.setSessionData('verdict', '');
    await expect(port.getSessionData('verdict')).resolves.toBe('');
    await port.setSessionData('verdict', 'warn');
    await expect(port.getSessionData('verdict')).resolves.toBe('warn');
    await expect(port.setSessionData('big', 'x'.repeat(60_000))).rejects.toMatchObject({ officeName: 'SessionObjectMaxLengthExceeded' });
  });

  it('onRecipientsChanged: one Office handler fans out, the last unsubscribe removes it', async () => {
    const { mailbox, port } = setup();
    const a = jest.fn();
    const b = jest.fn();
    const offA = await port.onRecipientsChanged(a);
    const offB = await port.onRecipientsChanged(b);
    expect(mailbox.calls.filter((c) => c === 'addHandlerAsync')).toHaveLength(1);
    mailbox.addRecipients('to', ['x@gmail.com']);
    await nextTick();
    await nextTick();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    await offA();
    await offA(); // idempotent
    expect(mailbox.calls.filter((c) => c === 'removeHandlerAsync')).toHaveLength(0);
    mailbox.addRecipients('cc', ['y@gmail.com']);
    await nextTick();
    await nextTick();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    await offB();
    expect(mailbox.calls.filter((c) => c === 'removeHandlerAsync')).toHaveLength(1);
    mailbox.addRecipients('bcc', ['z@gmail.com']);
    await nextTick();
    await nextTick();
    expect(b).toHaveBeenCalledTimes(2);
  });

  it('onRecipientsChanged rejects when Office refuses the handler', async () => {
    const { mailbox, port } = setup();
    mailbox.failOn('addHandlerAsync', officeError('InvalidParameterValueError'), 1);
    await expect(port.onRecipientsChanged(() => undefined)).rejects.toMatchObject({ operation: 'addHandlerAsync' });
    // a later subscription retries
    await expect(port.onRecipientsChanged(() => undefined)).resolves.toEqual(expect.any(Function));
  });
});

describe('createOfficeMailboxPort — read mode', () => {
  const received: Partial<FakeMailboxState> = {
    mode: 'read',
    from: { emailAddress: 'jean.dupont=medecin.mssante.fr@dsp.paris', displayName: 'Dr Jean Dupont', recipientType: 'externalUser' },
    to: [{ emailAddress: 'secretariat@m2a.paris', displayName: 'Secrétariat', recipientType: 'user' }],
    cc: [{ emailAddress: 'sophie.martin@medecin.mssante.fr', displayName: 'Dr Sophie Martin', recipientType: 'externalUser' }],
    subject: 'Demande de coordination',
    body: 'Bonjour',
  };

  it('reads item.to / item.cc as arrays, no Bcc, subject as a string', async () => {
    const { mailbox, port } = setup(received);
    mailbox.addAttachment('ordonnance.pdf');
    expect(port.mode).toBe('read');
    await expect(port.getRecipients()).resolves.toEqual({
      to: [{ emailAddress: 'secretariat@m2a.paris', displayName: 'Secrétariat', recipientType: 'user' }],
      cc: [{ emailAddress: 'sophie.martin@medecin.mssante.fr', displayName: 'Dr Sophie Martin', recipientType: 'externalUser' }],
      bcc: [],
    });
    await expect(port.getSubject()).resolves.toBe('Demande de coordination');
    await expect(port.getBodyText()).resolves.toBe('Bonjour');
    await expect(port.getAttachmentNames()).resolves.toEqual(['ordonnance.pdf']);
  });

  it('compose-only operations reject with READ_MODE; the change listener is a no-op', async () => {
    const { port } = setup(received);
    await expect(port.setRecipients('to', [{ emailAddress: 'a@b.fr' }])).rejects.toMatchObject({ code: 'READ_MODE' });
    await expect(port.addRecipients('to', [{ emailAddress: 'a@b.fr' }])).rejects.toMatchObject({ code: 'READ_MODE' });
    await expect(port.getComposeType()).rejects.toMatchObject({ code: 'READ_MODE' });
    await expect(port.getSessionData('k')).rejects.toMatchObject({ code: 'READ_MODE' });
    const off = await port.onRecipientsChanged(() => undefined);
    await expect(off()).resolves.toBeUndefined();
  });

  it('body failure in read mode rejects with the Office error', async () => {
    const { mailbox, port } = setup(received);
    mailbox.failOn('body.getAsync', officeError('NetworkError'));
    await expect(port.getBodyText()).rejects.toMatchObject({ officeName: 'NetworkError' });
  });
});

describe('createOfficeMailboxPort — outside Outlook', () => {
  it('throws a French explanation when there is no mail item', () => {
    expect(() => createOfficeMailboxPort({ context: {} } as unknown as typeof Office)).toThrow(/Outlook/);
  });
});
