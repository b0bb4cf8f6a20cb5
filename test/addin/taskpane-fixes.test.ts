// Runtime: Node (jest). The pane's fixes, reply rewriting, send client and sign-in, through the REAL Office adapter
// over the harness's fake Office host (no Outlook runs here; the fake follows Office.js, see fake-office-api.ts), with
// the core's real classifier standing in for the connector's classification.
import { createClassifier, defaultTrustSpace, type GatewayPattern } from '../../src/core';
import { createOfficeMailboxPort } from '../../src/addin/office/office-mailbox';
import { MailboxPortError } from '../../src/addin/office/mailbox-port';
import { FakeMailbox, type FakeMailboxState } from '../../src/harness/fake-mailbox';
import { createFakeOffice } from '../../src/harness/fake-office-api';
import { gatewayReply, USER_GATEWAY_ADDRESS, USER_MSSANTE_MAILBOX } from '../../src/harness/samples';
import type { RecipientRow } from '../../src/addin/taskpane/check-message';
import { addRecipient, moveNonMssante, recipientsLine, removeRecipient, replaceRecipient } from '../../src/addin/taskpane/fixes';
import { findGatewayAddresses, fixOrphanMssanteLabel, rewriteBody, rewriteGatewayReply } from '../../src/addin/taskpane/reply-rewrite';
import {
  createSendClient,
  isAccepted,
  isoWithOffset,
  needsPsc,
  parsePscMessage,
  pollStatus,
  signInWithPsc,
  toWire,
  type SendClient,
  type SendMessageResponse,
} from '../../src/addin/taskpane/send-client';
import { authSettingsOf, createTokenProvider, jwtExpiry, SignInNotConfiguredError, SignInRequiredError, type AuthSettings } from '../../src/addin/taskpane/auth';
import type { SendMessageWire } from '../../src/core';
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
      { kind: 'signature-label' }, // « MSSanté : » left empty: its line goes (no sending mailbox known yet)
    ]);
    expect(mailbox.state.bodyHtml).not.toMatch(/MSSanté\s*:/);
    // the changes shown to the user never name the user's own gateway address
    expect(JSON.stringify(result.changes)).not.toContain(USER_GATEWAY_ADDRESS);
    // a second run finds nothing more to do
    await expect(rewriteGatewayReply({ port, rows: await rowsOf(port), gateways: GATEWAYS })).resolves.toEqual({ applied: false, changes: [] });
  });

  it('with the sending mailbox known, « MSSanté : » in the signature names it instead of staying empty', async () => {
    const { mailbox, port } = setup(gatewayReply());
    const result = await rewriteGatewayReply({ port, rows: await rowsOf(port), gateways: GATEWAYS, senderMailbox: USER_MSSANTE_MAILBOX });
    expect(result.changes).toContainEqual({ kind: 'signature-label', mailbox: USER_MSSANTE_MAILBOX });
    expect(mailbox.state.bodyHtml).toContain(`<div>MSSanté : <a href="mailto:${USER_MSSANTE_MAILBOX}">${USER_MSSANTE_MAILBOX}</a></div>`);
    expect(JSON.stringify(mailbox.state)).not.toMatch(/dsp\.paris/);
  });

  it('orphan labels: HTML block, HTML line with <br>, text line; other labels and filled labels untouched', () => {
    expect(fixOrphanMssanteLabel('<div>Tél : 01</div><div>MSSanté : </div><p>x</p>', 'html')).toEqual({ body: '<div>Tél : 01</div><p>x</p>', fixed: 1 });
    expect(fixOrphanMssanteLabel('<div>Nom<br>MSSanté :&nbsp;<br>Tél</div>', 'html', 'a@pro.mssante.fr')).toEqual({
      body: '<div>Nom<br>MSSanté : <a href="mailto:a@pro.mssante.fr">a@pro.mssante.fr</a><br>Tél</div>',
      fixed: 1,
    });
    expect(fixOrphanMssanteLabel('Nom\nMSSanté :\nTél : 01', 'text')).toEqual({ body: 'Nom\nTél : 01', fixed: 1 });
    expect(fixOrphanMssanteLabel('Nom\nMSSante:  \nTél', 'text', 'a@pro.mssante.fr')).toEqual({ body: 'Nom\nMSSante: a@pro.mssante.fr\nTél', fixed: 1 });
    expect(fixOrphanMssanteLabel('<div>MSSanté : a@pro.mssante.fr</div>', 'html')).toEqual({ body: '<div>MSSanté : a@pro.mssante.fr</div>', fixed: 0 });
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
    const req = { from: 'm@pro.mssante.fr', to: ['a@medecin.mssante.fr'], cc: [], bcc: [], subject: 's', body: { contentType: 'text' as const, content: 'b' }, attachments: [], endOfExchange: false, readReceipt: true };
    await expect(client.submit(req, 'key-1')).resolves.toEqual({ id: 'm1', status: 'queued' });
    const post = calls[1];
    expect(post.url).toBe('/api/messages');
    expect(post.init.headers).toMatchObject({ authorization: 'Bearer tok', 'idempotency-key': 'key-1', 'content-type': 'application/json' });
    // the core's SendMessageWire, nothing else (the connector's schema has additionalProperties: false)
    expect(JSON.parse(String(post.init.body))).toEqual({
      from: 'm@pro.mssante.fr',
      to: ['a@medecin.mssante.fr'],
      subject: 's',
      text: 'b',
      readReceipt: true,
      workstationTime: isoWithOffset(new Date('2026-03-01T09:00:00Z')),
    });
    expect(isoWithOffset(new Date('2026-03-01T09:00:00Z'))).toMatch(/^2026-03-01T\d{2}:00:00[+-]\d{2}:\d{2}$/);
    await expect(client.status('m1')).resolves.toEqual({ id: 'm1', status: 'delivered' });
  });

  it('toWire sends every option the user chose: patient traits, fin d’échange, XDM flags, read receipt, HTML', () => {
    const now = new Date('2026-03-01T09:00:00Z');
    const patient = { ins: '248037512345658', insQualified: true, birthName: 'DURAND', firstNames: 'Marie Louise', birthDate: '1948-03-12', sex: 'F' as const };
    const wire: SendMessageWire = toWire(
      {
        from: 'm@pro.mssante.fr',
        to: ['248037512345658@patient.mssante.fr'],
        cc: ['a@medecin.mssante.fr'],
        bcc: [],
        subject: 'CR',
        body: { contentType: 'html', content: '<p>b</p>' },
        attachments: [
          { name: 'cr.xml', contentType: 'text/xml', contentBase64: 'PHg+', xdm: true },
          { name: 'photo.jpg', contentType: 'image/jpeg', contentBase64: 'AAA=', xdm: false },
        ],
        patient,
        endOfExchange: true,
        readReceipt: false,
      },
      now,
    );
    expect(wire).toEqual({
      from: 'm@pro.mssante.fr',
      to: ['248037512345658@patient.mssante.fr'],
      cc: ['a@medecin.mssante.fr'],
      subject: 'CR',
      html: '<p>b</p>',
      attachments: [
        { filename: 'cr.xml', contentType: 'text/xml', contentBase64: 'PHg+', xdm: true },
        { filename: 'photo.jpg', contentType: 'image/jpeg', contentBase64: 'AAA=' },
      ],
      patient,
      insQualified: true,
      endOfExchange: true,
      readReceipt: false,
      workstationTime: isoWithOffset(now),
    });
  });

  it('pollStatus also reports a receipt of one recipient when the message status does not change', async () => {
    const answers: SendMessageResponse[] = [
      { id: 'm', status: 'accepted', recipients: [{ address: 'a@x.mssante.fr', state: 'pending' }] },
      { id: 'm', status: 'accepted', recipients: [{ address: 'a@x.mssante.fr', state: 'delivered', at: '2026-03-01T10:00:00Z' }] },
      { id: 'm', status: 'read', recipients: [{ address: 'a@x.mssante.fr', state: 'read', at: '2026-03-01T10:05:00Z' }] },
    ];
    const client = { status: async () => answers.shift() as SendMessageResponse } as unknown as SendClient;
    const seen: string[] = [];
    await pollStatus(client, { id: 'm', status: 'queued' }, (r) => seen.push(`${r.status}/${r.recipients?.[0]?.state}`), { sleep: async () => undefined });
    expect(seen).toEqual(['accepted/pending', 'accepted/delivered', 'read/read']);
  });

  it('pollStatus reports each change until read, retrying through transient errors', async () => {
    const answers: (SendMessageResponse | Error)[] = [new Error('réseau'), { id: 'm', status: 'accepted' }, { id: 'm', status: 'accepted' }, { id: 'm', status: 'read' }];
    const client = {
      status: async () => {
        const a = answers.shift() as SendMessageResponse | Error;
        if (a instanceof Error) throw a;
        return a;
      },
    } as unknown as SendClient;
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

describe('Pro Santé Connect from the pane (connector session, Office dialog)', () => {
  /** A fake connector: the PSC session routes with the shapes of the brief; records calls. */
  function fakeConnector(opts: { connectedAfterSignIn?: boolean; pscRoutes?: boolean } = {}) {
    const calls: { method: string; url: string; auth?: string }[] = [];
    let connected = false;
    const fetchFn = (async (url: string, init: RequestInit) => {
      const method = init.method ?? 'GET';
      calls.push({ method, url, auth: (init.headers as Record<string, string>).authorization });
      const json = (status: number, body: unknown) => new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      if (opts.pscRoutes === false) return json(404, { error: { code: 'NOT_FOUND', message: 'Ressource introuvable' } });
      if (url === '/api/psc/session' && method === 'POST') return json(200, { url: 'https://127.0.0.1:3000/psc/start?ticket=t-1', expiresInS: 120 });
      if (url === '/api/psc/session' && method === 'GET') return json(200, connected ? { connected: true, expiresAt: '2026-03-01T10:00:00Z' } : { connected: false });
      if (url === '/api/psc/session' && method === 'DELETE') {
        connected = false;
        return json(204, null);
      }
      return json(404, { error: { code: 'NOT_FOUND', message: url } });
    }) as unknown as typeof fetch;
    const client = createSendClient({ fetch: fetchFn, getToken: async () => 'tok' });
    return { client, calls, connect: () => (connected = opts.connectedAfterSignIn ?? true) };
  }

  it('personal and organisational mailboxes need PSC; applicative ones do not', () => {
    expect([needsPsc({ type: 'PER' }), needsPsc({ type: 'ORG' }), needsPsc({ type: 'APP' }), needsPsc(undefined)]).toEqual([true, true, false, false]);
  });

  it('sign-in: one-use URL from the connector, opened in the dialog, callback message read, state read again', async () => {
    const { client, calls, connect } = fakeConnector();
    await expect(client.pscState()).resolves.toEqual({ connected: false });
    const opened: string[] = [];
    const outcome = await signInWithPsc(client, async (url) => {
      opened.push(url);
      connect(); // the user signed in with e-CPS; the callback page answers
      return JSON.stringify({ type: 'psc', status: 'ok' });
    });
    expect(outcome).toEqual({ kind: 'connected', state: { connected: true, expiresAt: '2026-03-01T10:00:00Z' } });
    expect(opened).toEqual(['https://127.0.0.1:3000/psc/start?ticket=t-1']);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /api/psc/session', 'POST /api/psc/session', 'GET /api/psc/session']);
    expect(calls.every((c) => c.auth === 'Bearer tok')).toBe(true);
    await expect(client.pscEnd()).resolves.toBeUndefined(); // 204 No Content
  });

  it('the callback page reports an error code; the dialog is closed by the user; a message that is not PSC', async () => {
    const { client } = fakeConnector();
    await expect(signInWithPsc(client, async () => JSON.stringify({ type: 'psc', status: 'error', code: 'PSC_DENIED' }))).resolves.toEqual({ kind: 'failed', code: 'PSC_DENIED' });
    await expect(signInWithPsc(client, async () => Promise.reject(new Error('fenêtre fermée')))).resolves.toEqual({ kind: 'closed' });
    await expect(signInWithPsc(client, async () => '{"accessToken":"x"}')).resolves.toEqual({ kind: 'failed' });
    expect(parsePscMessage('pas du JSON')).toBeUndefined();
  });

  it('the connector has no PSC session route (404): failed, not connected', async () => {
    const { client } = fakeConnector({ pscRoutes: false });
    await expect(client.pscState()).rejects.toMatchObject({ code: 'CONNECTOR_REJECTED', serverCode: 'NOT_FOUND' });
    await expect(signInWithPsc(client, async () => '')).resolves.toEqual({ kind: 'failed' });
  });

  it('signed in but the connector still says not connected: failed with PSC_NOT_CONNECTED', async () => {
    const { client } = fakeConnector({ connectedAfterSignIn: false });
    await expect(signInWithPsc(client, async () => JSON.stringify({ type: 'psc', status: 'ok' }))).resolves.toEqual({ kind: 'failed', code: 'PSC_NOT_CONNECTED' });
  });
});

describe('sign-in settings from GET /api/auth/config', () => {
  it('configured: the settings; not configured: the connector’s French message as the error', () => {
    expect(authSettingsOf({ configured: true, clientId: 'c', authority: 'https://idp.test', scopes: ['s'] })).toEqual({ clientId: 'c', authority: 'https://idp.test', scopes: ['s'] });
    const message = 'L’envoi en MSSanté n’est pas configuré sur ce connecteur.';
    expect(() => authSettingsOf({ configured: false, message })).toThrow(SignInNotConfiguredError);
    expect(() => authSettingsOf({ configured: false, message })).toThrow(message);
  });

  it('no NAA and no dialog page configured: a clear error, no dialog', async () => {
    const dialog = jest.fn();
    const getToken = createTokenProvider({ settings: async () => ({ clientId: 'c', authority: 'a', scopes: ['s'] }), naaSupported: false, dialog });
    await expect(getToken()).rejects.toThrow(/entra\.dialogUrl/);
    expect(dialog).not.toHaveBeenCalled();
  });
});

describe('MailboxPort: theme changes and the Office dialog over the fake host', () => {
  it('OfficeThemeChanged on the mailbox reaches the listener with the new theme; unsubscribe stops it', async () => {
    const { mailbox, port } = setup();
    expect(port.isDarkTheme()).toBe(false);
    const seen: boolean[] = [];
    const unsubscribe = await port.onThemeChanged((dark) => seen.push(dark));
    mailbox.setDarkTheme(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([true]);
    expect(port.isDarkTheme()).toBe(true);
    mailbox.setDarkTheme(false);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([true, false]);
    await unsubscribe();
    mailbox.setDarkTheme(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([true, false]);
  });

  it('subscribe, unsubscribe, subscribe again (React StrictMode): the second listener still hears the change', async () => {
    const { mailbox, port } = setup();
    const first: boolean[] = [];
    const second: boolean[] = [];
    const u1 = await port.onThemeChanged((d) => first.push(d));
    await u1();
    await port.onThemeChanged((d) => second.push(d));
    mailbox.setDarkTheme(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(first).toEqual([]);
    expect(second).toEqual([true]);
  });

  it('openDialog without a document (node): rejects with Office’s 12002 message, as a host that cannot open it', async () => {
    const { port } = setup();
    await expect(port.openDialog('/psc/start?ticket=t')).rejects.toThrow(/displayDialogAsync/);
  });
});
