// Runtime: Node (jest). One check of the task pane with a plain fake MailboxPort and a fake connector client: the
// core's real detection and evaluateSend run.
import { createClassifier, defaultTrustSpace, DEFAULT_POLICY } from '../../src/core';
import type { MailboxPort, RecipientsByField } from '../../src/addin/office/mailbox-port';
import { checkMessage } from '../../src/addin/taskpane/check-message';
import { ConnectorError, type ConnectorClient, type PolicyInfo } from '../../src/addin/taskpane/connector-client';

const classify = createClassifier({
  trustSpace: defaultTrustSpace(),
  gateways: [{ id: 'dsp-paris', domain: 'dsp.paris', localTemplate: '{local}={domain}' }],
});
const POLICY: PolicyInfo = { policy: DEFAULT_POLICY, gateways: [], internalDomains: [] };

function port(recipients: Partial<RecipientsByField>, body = '', fail?: Error): MailboxPort {
  const r = (e: string) => ({ emailAddress: e, displayName: e });
  const all: RecipientsByField = { to: [], cc: [], bcc: [], ...recipients };
  const rej = () => Promise.reject(new Error('unused'));
  return {
    mode: 'compose',
    getRecipients: () => (fail ? Promise.reject(fail) : Promise.resolve(all)),
    getSubject: () => Promise.resolve(''),
    getBodyText: () => Promise.resolve(body),
    getAttachmentNames: () => Promise.reject(new Error('Mailbox 1.8 missing')), // tolerated
    getUserEmail: () => Promise.resolve(r('me@m2a.paris').emailAddress),
    setRecipients: rej,
    addRecipients: rej,
    onRecipientsChanged: () => Promise.resolve(() => Promise.resolve()),
    getComposeType: () => Promise.resolve('newMail'),
    setSessionData: rej,
    getSessionData: () => Promise.resolve(undefined),
    getBody: () => Promise.resolve(body),
    setBody: rej,
    getBodyType: () => Promise.resolve('text'),
    getAttachments: () => Promise.resolve([]),
    getAttachmentBase64: rej,
    displayNewMessage: rej,
    discardDraft: rej,
    openDialog: rej,
    isDarkTheme: () => false,
    onThemeChanged: () => Promise.resolve(() => Promise.resolve()),
  };
}

const client = (overrides: Partial<ConnectorClient> = {}): ConnectorClient & { classify: jest.Mock } => ({
  classify: jest.fn(async (addresses: readonly string[]) => addresses.map((a) => classify(a))),
  getPolicy: async () => POLICY,
  ...overrides,
}) as ConnectorClient & { classify: jest.Mock };

const info = (e: string) => ({ emailAddress: e, displayName: e });

describe('checkMessage', () => {
  it('classifies each distinct address once and evaluates the policy locally', async () => {
    const c = client();
    const result = await checkMessage({
      port: port(
        { to: [info('sophie.martin@medecin.mssante.fr'), info('dupont@gmail.com')], cc: [info('dupont@gmail.com')] },
        'Compte-rendu d’hospitalisation de Mme Durand, née le 12/03/1948',
      ),
      client: c,
      getPolicy: c.getPolicy,
    });
    expect(c.classify).toHaveBeenCalledWith(['sophie.martin@medecin.mssante.fr', 'dupont@gmail.com']);
    expect(result.rows.map((r) => [r.field, r.classification?.kind])).toEqual([
      ['to', 'mssante'],
      ['to', 'external'],
      ['cc', 'external'],
    ]);
    expect(result.verdict?.action).toBe('warn');
    expect(result.verdict?.reasons.map((r) => r.code)).toEqual(['HEALTH_DATA_TO_NON_MSSANTE', 'MIXED_RECIPIENTS']);
    expect(result.problem).toBeUndefined();
  });

  it('no recipient: no verdict, no connector call', async () => {
    const c = client();
    const result = await checkMessage({ port: port({}), client: c, getPolicy: c.getPolicy });
    expect(result).toEqual({ mode: 'compose', rows: [] });
    expect(c.classify).not.toHaveBeenCalled();
  });

  it('connector down: recipients listed unchecked, a connector problem, no verdict', async () => {
    const c = client({ classify: jest.fn(() => Promise.reject(new ConnectorError('CONNECTOR_UNREACHABLE', 'down'))) });
    const result = await checkMessage({ port: port({ to: [info('a@b.fr')] }), client: c, getPolicy: c.getPolicy });
    expect(result.rows).toEqual([{ field: 'to', info: info('a@b.fr') }]);
    expect(result.verdict).toBeUndefined();
    expect(result.problem).toEqual({ kind: 'connector', code: 'CONNECTOR_UNREACHABLE' });
  });

  it('connector refusal keeps its code; Outlook failure is a mailbox problem', async () => {
    const c = client({ getPolicy: () => Promise.reject(new ConnectorError('CONNECTOR_REJECTED', 'x', 500, 'INTERNAL_ERROR')) });
    await expect(checkMessage({ port: port({ to: [info('a@b.fr')] }), client: c, getPolicy: c.getPolicy })).resolves.toMatchObject({
      problem: { kind: 'connector', code: 'CONNECTOR_REJECTED', serverCode: 'INTERNAL_ERROR' },
    });
    const failing = Object.assign(new Error('x'), { code: 'OFFICE_CALL_FAILED' });
    await expect(checkMessage({ port: port({}, '', failing), client: c, getPolicy: c.getPolicy })).resolves.toEqual({
      mode: 'compose',
      rows: [],
      problem: { kind: 'mailbox', code: 'OFFICE_CALL_FAILED' },
    });
  });
});
