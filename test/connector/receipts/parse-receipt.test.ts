// Runtime: Node (jest). parseReceipt on EVERY real e-mail of test/fixtures/eml (copied from ../shared/data/eml).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReceipt } from '../../../src/connector/receipts/parse-receipt';

const DIR = join(__dirname, '..', '..', 'fixtures', 'eml');
const read = (f: string) => parseReceipt(readFileSync(join(DIR, f)));

const EXPECTED: Record<string, unknown> = {
  'ans_ig_spec_example_MDN_KO_integration.eml.txt': {
    type: 'mdn',
    originalMessageId: '<199509192301.23456>',
    errorCode: '902',
    errorLabel: 'Identifiant de patient inconnu',
    disposition: { actionMode: 'automatic-action', sendingMode: 'MDN-sent-automatically', type: 'processed', modifiers: ['error'] },
    recipients: [{ address: 'serviceY_auto@chb.mssante.fr', action: 'processed', status: '5.0.0', statusClass: 'permanent' }],
    problems: ['REPORT_PART_MALFORMED'],
  },
  'ans_ig_spec_example_standard_error_email.eml.txt': { type: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT', errorCode: '902' },
  'lkml_linux-usb_evolution_disposition-notification-to.eml': { type: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT' },
  // 1996 (RFC 1894 era): no Status field; the action still says failed
  'mimekit_delivery-status.eml': { type: 'dsn', reportingMta: 'dns; mm1', recipients: [{ address: 'newsletter-request@imusic.com', action: 'failed', status: '', statusClass: 'unknown' }] },
  'mimekit_delivery-status2.eml': {
    type: 'dsn',
    reportingMta: 'dns; smtp-out.dis-hosting.net',
    recipients: [{ address: 'source@domain.com', action: 'failed', status: '5.0.0', statusClass: 'permanent' }],
  },
  'mimekit_outlook365_issue358_thread-index.eml': { type: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT' },
  'mimekit_smime_thunderbird-signed.eml': { type: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT' },
  'nhind_MDNMessage_processed.eml': {
    type: 'mdn',
    originalMessageId: '<9501051053.aa04167@IETF.CNR I.Reston.VA.US>',
    recipients: [{ address: 'externUser1@starugh-stateline.com', action: 'processed', status: '2.0.0', statusClass: 'success' }],
    problems: [],
  },
  'nhind_MessageWithAttachment.eml': { type: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT' },
  'nhind_csharp_DSN_actually_MDN_dispatched.eml': {
    type: 'mdn',
    originalMessageId: '<cbjfnk7ziimajrb8prk5r0ehk9lb3g@Direct.Surescripts.com>',
    recipients: [{ address: 'Jean@opsstation.lab', action: 'dispatched', status: '2.0.0' }],
  },
  'nhind_csharp_MDN.eml': { type: 'mdn', recipients: [{ action: 'processed', status: '2.0.0' }] },
  'nhind_smime_EncryptedMessage_james.eml': { type: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT' },
  'nhind_smime_SMIMEMessage.eml': { type: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT' },
  'nhind_smime_envelopeSignature.eml': { type: 'not-a-receipt', reason: 'NOT_MULTIPART_REPORT' },
};

describe('parseReceipt on every real e-mail', () => {
  it('covers every fixture file', () => {
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(EXPECTED).sort());
  });
  it.each(Object.entries(EXPECTED))('%s', async (file, expected) => {
    expect(await read(file)).toMatchObject(expected as object);
  });
  it('French explanations: 5.1.1 unknown address, 4.x temporary', async () => {
    const dsn = (status: string) =>
      [
        'From: MAILER-DAEMON@op.mssante.fr',
        'Message-ID: <r1@op.mssante.fr>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'x',
        '--b',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.op.mssante.fr',
        'Original-Envelope-Id: abc@connecteur.fr',
        '',
        'Final-Recipient: rfc822; dr.x@medecin.mssante.fr',
        'Action: failed',
        `Status: ${status}`,
        'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
        '',
        '--b',
        'Content-Type: text/rfc822-headers',
        '',
        'Message-ID: <orig.1@connecteur.fr>',
        'Subject: x',
        '',
        '--b--',
        '',
      ].join('\r\n');
    const r = await parseReceipt(dsn('5.1.1'));
    expect(r).toMatchObject({ type: 'dsn', envelopeId: 'abc@connecteur.fr', originalMessageId: '<orig.1@connecteur.fr>', recipients: [{ address: 'dr.x@medecin.mssante.fr', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 User unknown', statusClass: 'permanent', explanation: expect.stringContaining("adresse inconnue chez l'opérateur du destinataire") }] });
    expect(await parseReceipt(dsn('4.4.7'))).toMatchObject({ recipients: [{ statusClass: 'temporary', explanation: expect.stringContaining('temporaire') }] });
    expect(await parseReceipt('pas un e-mail')).toMatchObject({ type: 'not-a-receipt' });
  });
});
