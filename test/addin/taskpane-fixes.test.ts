// Runtime: Node (jest). The pane's fixes, reply rewriting, send client and sign-in, through the REAL Office adapter
// over the harness's fake Office host (no Outlook runs here; the fake follows Office.js, see fake-office-api.ts), with
// the core's real classifier standing in for the connector's classification.
import { createClassifier, defaultTrustSpace, type GatewayPattern } from '../../src/core';
import { createOfficeMailboxPort } from '../../src/addin/office/office-mailbox';
import { MailboxPortError } from '../../src/addin/office/mailbox-port';
import { FakeMailbox, type FakeMailboxState } from '../../src/harness/fake-mailbox';
import { createFakeOffice } from '../../src/harness/fake-office-api';
import { gatewayReply, USER_GATEWAY_ADDRESS } from '../../src/harness/samples';
import type { RecipientRow } from '../../src/addin/taskpane/check-message';
import { addRecipient, moveNonMssante, recipientsLine, removeRecipient, replaceRecipient } from '../../src/addin/taskpane/fixes';
import { findGatewayAddresses, rewriteBody, rewriteGatewayReply } from '../../src/addin/taskpane/reply-rewrite';
import { createSendClient, isAccepted, isoWithOffset, notYetSupported, pollStatus, type SendMessageResponse } from '../../src/addin/taskpane/send-client';
import { createTokenProvider, jwtExpiry, SignInRequiredError, type AuthSettings } from '../../src/addin/taskpane/auth';
import type { IPublicClientApplication } from '@azure/msal-browser';

const GATEWAYS: GatewayPattern[] = [{ id: 'dsp-paris', domain: 'dsp.paris', localTemplate: '{local}={domain}' }];
const classify = createClassifier({ trustSpace: defaultTrustSpace(), gateways: GATEWAYS });

function setup(initial: Partial<FakeMailboxState> = {}) {
  const mailbox = new FakeMailbox(initial);
  const handle = createFakeOffice(mailbox);
  return { mailbox, port: createOfficeMailboxPort(handle.office as typeof Office) };
}

async function rowsOf(port: ReturnType<typeof setup>['port']): Promise<RecipientRow[]> {
  const all = await port.getRecipients();
  return (['to', 'cc', 'bcc'] as const).flatMap((field) => all[field].map((info) => ({ field, info, classification: classify(info.emailAddress) })));
}

describe('MailboxPort additions over the fake host', () => {
  it('HTML body round trip with body.setAsync(coercionType html); text into an HTML item stays HTML', async () => {
    const { mailbox, port } = setup(gatewayReply());
    await expect(port.getBodyType()).resolves.toBe('html');
    const html = await port.getBody('html');
    expect(html).toContain('<div id="Signature">');
    await port.setBody('html', html.replace('Secrétariat', 'Secrétariat médical'));
    expect(mailbox.state.bodyHtml).toContain('Secrétariat médical');
    expect(mailbox.state.body).toContain('Secrétariat médical');
    await expect(port.getBodyText()).resolves.toContain('Secrétariat médical');
  });

  it('HTML into a plain-text item is refused, as by Outlook', async () => {
    const { port } = setup({ body: 'texte' });
    await expect(port.getBodyType()).resolves.toBe('text');
    await expect(port.setBody('html', '<b>x</b>')).rejects.toBeInstanceOf(MailboxPortError);
  });

  it('discardDraft = closeAsync({discardItem: true}) (Mailbox 1.14); older clients: NOT_SUPPORTED by Office', async () => {
    const { mailbox, port } = setup();
    await port.discardDraft();
    expect(mailbox.state.discarded).toBe(true);
    const old = setup({ mailboxVersion: '1.13' });
    await expect(old.port.discardDraft()).rejects.toMatchObject({ code: 'OFFICE_CALL_FAILED' });
  });

  it('displayNewMessage: read mode only (compose rejects NOT_SUPPORTED)', async () => {
    const compose = setup();
    await expect(compose.port.displayNewMessage({ toRecipients: [{ emailAddress: 'a@gmail.com' }] })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    const read = setup({ mode: 'read' });
    await read.port.displayNewMessage({ toRecipients: [{ emailAddress: 'a@gmail.com' }], subject: 'Suite' });
    expect(read.mailbox.state.openedForms).toEqual([{ toRecipients: ['a@gmail.com'], subject: 'Suite' }]);
  });

  it('attachments with ids and base64 content', async () => {
    const { mailbox, port } = setup();
    const a = mailbox.addAttachment('cr.xml', 10, Buffer.from('<x/>').toString('base64'));
    await expect(port.getAttachments()).resolves.toEqual([{ id: a.id, name: 'cr.xml', size: 10, isInline: false, attachmentType: 'file' }]);
    await expect(port.getAttachmentBase64(a.id)).resolves.toBe(Buffer.from('<x/>').toString('base64'));
  });
});

describe('one-click fixes', () => {
  it('replace keeps the place and the others; remove; add skips duplicates', async () => {
    const { mailbox, port } = setup();
    mailbox.setRecipients('to', ['a@medecin.mssante.fr', { emailAddress: 'sophie.martin@gmail.com', displayName: 'Sophie Martin' }, 'b@medecin.mssante.fr']);
    await replaceRecipient(port, 'to', 'SOPHIE.martin@gmail.com', { emailAddress: 'sophie.martin@medecin.mssante.fr', displayName: 'Sophie MARTIN' });
    expect(mailbox.state.to.map((r) => r.emailAddress)).toEqual(['a@medecin.mssante.fr', 'sophie.martin@medecin.mssante.fr', 'b@medecin.mssante.fr']);
    await removeRecipient(port, 'to', 'a@medecin.mssante.fr');
    expect(mailbox.state.to.map((r) => r.emailAddress)).toEqual(['sophie.martin@medecin.mssante.fr', 'b@medecin.mssante.fr']);
    await expect(addRecipient(port, 'cc', { emailAddress: 'c@medecin.mssante.fr' })).resolves.toBe(true);
    await expect(addRecipient(port, 'cc', { emailAddress: 'C@medecin.mssante.fr' })).resolves.toBe(false);
    expect(mailbox.state.cc.map((r) => r.emailAddress)).toEqual(['c@medecin.mssante.fr']);
  });

  it('move: in compose the non-MSSanté recipients leave every field and come back to be copied', async () => {
    const { mailbox, port } = setup();
    mailbox.setRecipients('to', ['sophie.martin@medecin.mssante.fr', { emailAddress: 'x@gmail.com', displayName: 'X "Y"' }]);
    mailbox.setRecipients('cc', ['jean.dupont=medecin.mssante.fr@dsp.paris', 'contact@clinique.fr']);
    const out = await moveNonMssante(port, await rowsOf(port));
    expect(out.openedNewMessage).toBe(false);
    expect(out.moved.map((r) => r.emailAddress)).toEqual(['x@gmail.com', 'contact@clinique.fr']);
    expect(mailbox.state.to.map((r) => r.emailAddress)).toEqual(['sophie.martin@medecin.mssante.fr']);
    // a decodable gateway address is not moved: it gets replaced instead
    expect(mailbox.state.cc.map((r) => r.emailAddress)).toEqual(['jean.dupont=medecin.mssante.fr@dsp.paris']);
    expect(recipientsLine(out.moved)).toBe('X Y <x@gmail.com>; contact@clinique.fr');
  });
});

describe('reply rewriting', () => {
  it('the harness reply: recipient decoded, every gateway address gone from the HTML body and signature', async () => {
    const { mailbox, port } = setup(gatewayReply());
    const result = await rewriteGatewayReply({ port, rows: await rowsOf(port), gateways: GATEWAYS });
    expect(result.applied).toBe(true);
    expect(mailbox.state.to).toMatchObject([{ emailAddress: 'jean.dupont@medecin.mssante.fr', displayName: 'Dr Jean Dupont' }]);
    expect(JSON.stringify(mailbox.state)).not.toMatch(/dsp\.paris/);
    expect(mailbox.state.bodyHtml).toContain('Secrétariat M2A-DAC 75 Ouest');
    expect(result.changes).toEqual([
      { kind: 'recipient-replaced', field: 'to', from: 'jean.dupont=medecin.mssante.fr@dsp.paris', to: 'jean.dupont@medecin.mssante.fr' },
      { kind: 'body-replaced', to: 'jean.dupont@medecin.mssante.fr', count: 1 },
      { kind: 'body-removed', count: 2 }, // the signature's mailto link (one link) and the quoted « À : »
    ]);
    // the changes shown to the user never name the user's own gateway address
    expect(JSON.stringify(result.changes)).not.toContain(USER_GATEWAY_ADDRESS);
    // a second run finds nothing more to do
    await expect(rewriteGatewayReply({ port, rows: await rowsOf(port), gateways: GATEWAYS })).resolves.toEqual({ applied: false, changes: [] });
  });

  it('plain-text reply; the decoded address already present is not duplicated', async () => {
    const { mailbox, port } = setup({
      composeType: 'reply',
      to: [
        { emailAddress: 'jean.dupont=medecin.mssante.fr@dsp.paris', displayName: 'Dr Jean Dupont', recipientType: 'externalUser' },
        { emailAddress: 'jean.dupont@medecin.mssante.fr', displayName: 'jean.dupont@medecin.mssante.fr', recipientType: 'externalUser' },
      ],
      body: `Signature\n${USER_GATEWAY_ADDRESS}\nDe : Dr Jean Dupont <jean.dupont=medecin.mssante.fr@dsp.paris>`,
    });
    await rewriteGatewayReply({ port, rows: await rowsOf(port), gateways: GATEWAYS });
    expect(mailbox.state.to.map((r) => r.emailAddress)).toEqual(['jean.dupont@medecin.mssante.fr']);
    expect(mailbox.state.body).toBe('Signature\n\nDe : Dr Jean Dupont <jean.dupont@medecin.mssante.fr>');
  });

  it('an undecodable gateway recipient is reported, not guessed', async () => {
    const { mailbox, port } = setup({ composeType: 'reply', to: [{ emailAddress: 'inconnu@dsp.paris', displayName: 'inconnu@dsp.paris', recipientType: 'externalUser' }] });
    const r = await rewriteGatewayReply({ port, rows: await rowsOf(port), gateways: GATEWAYS });
    expect(r.changes).toEqual([{ kind: 'recipient-undecoded', field: 'to', address: 'inconnu@dsp.paris' }]);
    expect(mailbox.state.to.map((x) => x.emailAddress)).toEqual(['inconnu@dsp.paris']);
  });

  it('finds gateway addresses by domain (exact and *.wildcard) and rewrites HTML occurrences', () => {
    const gw: GatewayPattern[] = [...GATEWAYS, { id: 'w', domain: '*.relais.example.fr' }];
    expect(findGatewayAddresses('a=b.fr@dsp.paris, x@site.relais.example.fr; y@relais.example.fr. z@gmail.com', gw)).toEqual([
      'a=b.fr@dsp.paris',
      'x@site.relais.example.fr',
      'y@relais.example.fr',
    ]);
    const { body, counts } = rewriteBody('<p>A &lt;a=b.fr@dsp.paris&gt; <a href="mailto:A=B.fr@dsp.paris">a=b.fr@dsp.paris</a></p>', 'html', new Map([['a=b.fr@dsp.paris', 'a@b.fr']]));
    expect(body).toBe('<p>A &lt;a@b.fr&gt; <a href="mailto:a@b.fr">a@b.fr</a></p>');
    expect(counts.get('a=b.fr@dsp.paris')).toBe(2);
  });
});

describe('send client', () => {
  it('POST /api/messages with bearer and Idempotency-Key; status; mailboxes', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetchFn = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const body = url.endsWith('/api/mailboxes') ? { mailboxes: [{ address: 'm@pro.mssante.fr', type: 'ORG' }] } : { id: 'm1', status: url.endsWith('/m1') ? 'delivered' : 'queued' };
      return new Response(JSON.stringify(body), { status: init.method === 'POST' ? 202 : 200, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    const client = createSendClient({ fetch: fetchFn, getToken: async () => 'tok', now: () => new Date('2026-03-01T09:00:00Z') });
    await expect(client.listMailboxes()).resolves.toEqual([{ address: 'm@pro.mssante.fr', type: 'ORG' }]);
    const req = { from: 'm@pro.mssante.fr', to: ['a@medecin.mssante.fr'], cc: [], bcc: [], subject: 's', body: { contentType: 'text' as const, content: 'b' }, attachments: [], endOfExchange: true };
    await expect(client.submit(req, 'key-1')).resolves.toEqual({ id: 'm1', status: 'queued' });
    const post = calls[1];
    expect(post.url).toBe('/api/messages');
    expect(post.init.headers).toMatchObject({ authorization: 'Bearer tok', 'idempotency-key': 'key-1', 'content-type': 'application/json' });
    // the connector's postSchema exactly (additionalProperties: false)
    expect(JSON.parse(String(post.init.body))).toEqual({
      from: 'm@pro.mssante.fr',
      to: ['a@medecin.mssante.fr'],
      subject: 's',
      text: 'b',
      workstationTime: isoWithOffset(new Date('2026-03-01T09:00:00Z')),
    });
    expect(isoWithOffset(new Date('2026-03-01T09:00:00Z'))).toMatch(/^2026-03-01T\d{2}:00:00[+-]\d{2}:\d{2}$/);
    expect(notYetSupported(req)).toEqual(['endOfExchange']);
    await expect(client.status('m1')).resolves.toEqual({ id: 'm1', status: 'delivered' });
  });

  it('pollStatus reports each change until read, retrying through transient errors', async () => {
    const answers: (SendMessageResponse | Error)[] = [new Error('réseau'), { id: 'm', status: 'accepted' }, { id: 'm', status: 'accepted' }, { id: 'm', status: 'read' }];
    const client = {
      listMailboxes: async () => [],
      submit: async () => ({ id: 'm', status: 'queued' as const }),
      status: async () => {
        const a = answers.shift() as SendMessageResponse | Error;
        if (a instanceof Error) throw a;
        return a;
      },
    };
    const seen: string[] = [];
    const last = await pollStatus(client, { id: 'm', status: 'queued' }, (r) => seen.push(r.status), { sleep: async () => undefined });
    expect(seen).toEqual(['accepted', 'read']);
    expect(last.status).toBe('read');
    expect(isAccepted('queued')).toBe(false);
    expect(isAccepted('delivered')).toBe(true);
  });
});

describe('sign-in (NAA first, Office dialog fallback)', () => {
  const settings: AuthSettings = { clientId: 'c', authority: 'https://login.example/t', scopes: ['api://x/Send'], dialogUrl: '/auth.html' };
  const jwt = (exp: number) => `h.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.s`;

  it('NAA: silent, then popup on failure; no dialog', async () => {
    const pca = {
      acquireTokenSilent: jest.fn().mockRejectedValueOnce(new Error('interaction_required')).mockResolvedValue({ accessToken: 'silent' }),
      acquireTokenPopup: jest.fn().mockResolvedValue({ accessToken: 'popup' }),
    } as unknown as IPublicClientApplication;
    const dialog = jest.fn();
    const getToken = createTokenProvider({ settings: async () => settings, naaSupported: true, dialog, createNestable: async () => pca });
    await expect(getToken()).resolves.toBe('popup');
    await expect(getToken()).resolves.toBe('silent');
    expect(dialog).not.toHaveBeenCalled();
  });

  it('no NestedAppAuth (or NAA failing): Office dialog, token kept in memory until it expires', async () => {
    const token = jwt(Math.floor(Date.now() / 1000) + 3600);
    const dialog = jest.fn().mockResolvedValue(token);
    const getToken = createTokenProvider({ settings: async () => settings, naaSupported: false, dialog });
    await expect(getToken()).resolves.toBe(token);
    await expect(getToken()).resolves.toBe(token);
    expect(dialog).toHaveBeenCalledTimes(1);
    expect(dialog).toHaveBeenCalledWith('/auth.html');
    expect(jwtExpiry(token)).toBeGreaterThan(Date.now());
    // not interactive (pane loading): never a dialog; SignInRequiredError when no token is in memory
    const fresh = createTokenProvider({ settings: async () => settings, naaSupported: false, dialog });
    await expect(fresh(false)).rejects.toBeInstanceOf(SignInRequiredError);
    expect(dialog).toHaveBeenCalledTimes(1);
    const failing = createTokenProvider({ settings: async () => settings, naaSupported: true, dialog, createNestable: async () => Promise.reject(new Error('popup_window_error')) });
    await expect(failing()).resolves.toBe(token);
  });
});
