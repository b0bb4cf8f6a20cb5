// Runtime: Node (jest). The fake Office host must behave like Office.js where the add-in could tell the difference:
// argument overloads, asyncContext, asynchronous callbacks, synchronous argument errors, Office error names/codes.
import { FakeMailbox, officeError, parseTypedRecipient } from '../../src/harness/fake-mailbox';
import { createFakeOffice } from '../../src/harness/fake-office-api';

function setup() {
  const mailbox = new FakeMailbox();
  const { office, handlers, dispose } = createFakeOffice(mailbox);
  return { mailbox, office, handlers, dispose, item: office.context.mailbox.item };
}

function call<T = any>(fn: (cb: (r: any) => void) => void): Promise<any> {
  return new Promise<T>((resolve) => fn(resolve as (r: any) => void));
}

describe('fake Office host', () => {
  it('answers asynchronously, honours (callback) and (options, callback), returns asyncContext', async () => {
    const { mailbox, item } = setup();
    mailbox.setSubject('Objet');
    let sync = true;
    const r1 = call((cb) => item.subject.getAsync((r: unknown) => { cb({ r, sync }); }));
    sync = false;
    await expect(r1).resolves.toMatchObject({ sync: false, r: { status: 'succeeded', value: 'Objet', asyncContext: undefined } });
    const ctx = { id: 42 };
    await expect(call((cb) => item.subject.getAsync({ asyncContext: ctx }, cb))).resolves.toMatchObject({
      status: 'succeeded',
      value: 'Objet',
      asyncContext: ctx,
    });
    await expect(call((cb) => item.body.getAsync('text', { asyncContext: 'b' }, cb))).resolves.toMatchObject({ asyncContext: 'b' });
  });

  it('throws like Office on bad arguments', () => {
    const { item } = setup();
    expect(() => item.to.getAsync()).toThrow(/ArgumentNull/); // callback required for getters
    expect(() => item.to.getAsync('x', () => undefined)).toThrow(/ArgumentException/);
    expect(() => item.body.getAsync('rtf', () => undefined)).toThrow(/coercionType/);
    expect(() => item.subject.setAsync('x'.repeat(256))).toThrow(/ArgumentOutOfRange/);
    expect(() => item.cc.setAsync(Array.from({ length: 101 }, () => 'a@b.fr'))).toThrow(/ArgumentOutOfRange/);
    expect(() => item.notificationMessages.addAsync('k'.repeat(33), { type: 'informationalMessage', message: 'x' })).toThrow(/key/);
    expect(() => item.notificationMessages.addAsync('k', { type: 'informationalMessage', message: 'x'.repeat(151) })).toThrow(/message/);
  });

  it('setAsync/addAsync accept strings, EmailUser and EmailAddressDetails; callback optional', async () => {
    const { mailbox, item } = setup();
    item.to.setAsync(['a@medecin.mssante.fr', { emailAddress: 'b@m2a.paris', displayName: 'B' }]);
    await new Promise((r) => setTimeout(r, 0));
    expect(mailbox.state.to).toEqual([
      { emailAddress: 'a@medecin.mssante.fr', displayName: 'a@medecin.mssante.fr', recipientType: 'externalUser' },
      { emailAddress: 'b@m2a.paris', displayName: 'B', recipientType: 'user' },
    ]);
    await expect(call((cb) => item.to.addAsync([{ emailAddress: 'c@gmail.com', displayName: 'C', recipientType: 'other' }], cb))).resolves.toMatchObject({
      status: 'succeeded',
    });
    expect(mailbox.state.to.map((r) => r.emailAddress)).toEqual(['a@medecin.mssante.fr', 'b@m2a.paris', 'c@gmail.com']);
  });

  it('reports injected failures with the Office error shape', async () => {
    const { mailbox, item } = setup();
    mailbox.failOn('to.getAsync', officeError('NetworkError'), 1);
    await expect(call((cb) => item.to.getAsync({ asyncContext: 7 }, cb))).resolves.toEqual({
      status: 'failed',
      value: undefined,
      error: { name: 'NetworkError', code: 9041, message: expect.stringContaining('réseau') },
      asyncContext: 7,
      diagnostics: undefined,
    });
    await expect(call((cb) => item.to.getAsync(cb))).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('returns copies: callers cannot mutate the mailbox through a value', async () => {
    const { mailbox, item } = setup();
    mailbox.setRecipients('to', ['a@b.fr']);
    const r = await call((cb) => item.to.getAsync(cb));
    r.value.push({ emailAddress: 'evil@x.fr' });
    expect(mailbox.state.to).toHaveLength(1);
  });

  it('notification messages: limits and errors of Office (5 per item, duplicate key, unknown key)', async () => {
    const { mailbox, item } = setup();
    for (let i = 0; i < 5; i++) {
      await expect(call((cb) => item.notificationMessages.addAsync(`k${i}`, { type: 'informationalMessage', message: 'm', icon: 'i', persistent: false }, cb))).resolves.toMatchObject({ status: 'succeeded' });
    }
    await expect(call((cb) => item.notificationMessages.addAsync('k5', { type: 'errorMessage', message: 'm' }, cb))).resolves.toMatchObject({
      status: 'failed',
      error: { name: 'NumberOfNotificationsExceeded', code: 9025 },
    });
    await expect(call((cb) => item.notificationMessages.addAsync('k0', { type: 'errorMessage', message: 'm' }, cb))).resolves.toMatchObject({
      error: { name: 'DuplicateNotificationKey' },
    });
    await expect(call((cb) => item.notificationMessages.removeAsync('nope', cb))).resolves.toMatchObject({ error: { name: 'NotificationKeyNotFound' } });
    await expect(call((cb) => item.notificationMessages.removeAsync('k0', cb))).resolves.toMatchObject({ status: 'succeeded' });
    expect(mailbox.state.notificationMessages.map((n) => n.key)).toEqual(['k1', 'k2', 'k3', 'k4']);
  });

  it('sessionData.getAsync of a missing key fails with KeyNotFound', async () => {
    const { item } = setup();
    await expect(call((cb) => item.sessionData.getAsync('nope', cb))).resolves.toMatchObject({ error: { name: 'KeyNotFound', code: 9050 } });
  });

  it('RecipientsChanged: asynchronous, with changedRecipientFields; removeHandlerAsync removes all; dispose stops', async () => {
    const { office, mailbox, item, dispose } = setup();
    const events: any[] = [];
    await call((cb) => item.addHandlerAsync(office.EventType.RecipientsChanged, (e: unknown) => events.push(e), cb));
    mailbox.addRecipients('cc', ['a@b.fr']);
    expect(events).toHaveLength(0); // not synchronous
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toEqual([
      { type: 'olkRecipientsChanged', changedRecipientFields: { to: false, cc: true, bcc: false, requiredAttendees: false, optionalAttendees: false, resources: false } },
    ]);
    mailbox.setSubject('x'); // not a recipient change
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toHaveLength(1);
    await call((cb) => item.removeHandlerAsync(office.EventType.RecipientsChanged, cb));
    mailbox.addRecipients('to', ['b@b.fr']);
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toHaveLength(1);
    dispose();
  });

  it('onReady reports Outlook; actions.associate records handlers; requirement sets follow mailboxVersion', async () => {
    const mailbox = new FakeMailbox({ mailboxVersion: '1.14' });
    const { office, handlers } = createFakeOffice(mailbox);
    await expect(office.onReady()).resolves.toEqual({ host: 'Outlook', platform: 'OfficeOnline' });
    const fn = () => undefined;
    office.actions.associate('onMessageSendHandler', fn);
    expect(handlers.get('onMessageSendHandler')).toBe(fn);
    expect(office.context.requirements.isSetSupported('Mailbox', '1.14')).toBe(true);
    expect(office.context.requirements.isSetSupported('Mailbox', '1.15')).toBe(false);
    expect(office.context.requirements.isSetSupported('Mailbox', '1.9')).toBe(true);
    expect(office.MailboxEnums.SendModeOverride.PromptUser).toBe('promptUser');
  });

  it('read mode: to/cc arrays, subject string, no bcc/sessionData', () => {
    const mailbox = new FakeMailbox({ mode: 'read', subject: 'S', to: [{ emailAddress: 'a@b.fr', displayName: 'A', recipientType: 'externalUser' }] });
    const item = createFakeOffice(mailbox).office.context.mailbox.item;
    expect(Array.isArray(item.to)).toBe(true);
    expect(item.subject).toBe('S');
    expect(item.bcc).toBeUndefined();
    expect(item.sessionData).toBeUndefined();
  });
});

describe('parseTypedRecipient (the To line of the harness)', () => {
  it.each([
    ['sophie.martin@medecin.mssante.fr', { emailAddress: 'sophie.martin@medecin.mssante.fr', displayName: 'sophie.martin@medecin.mssante.fr' }],
    ['Dr Sophie Martin <sophie.martin@medecin.mssante.fr>', { emailAddress: 'sophie.martin@medecin.mssante.fr', displayName: 'Dr Sophie Martin' }],
    ['"Martin, Sophie" <s@medecin.mssante.fr>', { emailAddress: 's@medecin.mssante.fr', displayName: 'Martin, Sophie' }],
    ['<s@x.fr>', { emailAddress: 's@x.fr', displayName: 's@x.fr' }],
    ['  ', undefined],
    ['pas une adresse', { emailAddress: 'pas une adresse', displayName: 'pas une adresse' }],
  ])('%j', (input, expected) => {
    expect(parseTypedRecipient(input)).toEqual(expected);
  });
});
