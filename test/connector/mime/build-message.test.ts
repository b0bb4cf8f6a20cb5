// Runtime: Node (jest). buildMessage: parsed back with mailparser, and relayed by nodemailer to a real smtp-server on
// 127.0.0.1:0 (the DSN parameters and the exact X-MSS-* spelling checked on the wire).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import { buildMessage, type BuildMessageInput, type BuiltMessage } from '../../../src/connector/mime/build-message';
import { packXdm } from '../../../src/connector/xdm';

const CDA = readFileSync(join(__dirname, '..', '..', 'fixtures', 'cda', 'CR_Radio_CDAN1_v1.XML'));
const NOW = new Date('2026-03-01T10:20:30Z');
const BASE: BuildMessageInput = {
  from: { address: 'dr.martin@hopital-a.mssante.fr', name: 'Dr_Jean_MARTIN_CHU' },
  to: [{ address: 'dr.durand@medecin.mssante.fr' }],
  subject: 'Compte rendu — résultat',
  text: 'Bonjour, veuillez trouver le compte rendu. Cordialement.',
  productReference: 'DEV935997',
  date: NOW,
};
const OPTS = { messageIdDomain: 'connecteur.hopital-a.fr', uuid: () => '11111111-2222-4333-8444-555555555555' };

async function built(input: Partial<BuildMessageInput> = {}): Promise<BuiltMessage> {
  const r = await buildMessage({ ...BASE, ...input }, OPTS);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

function headerLines(raw: Buffer): string[] {
  const head = raw.toString('utf8').split('\r\n\r\n')[0];
  return head.split('\r\n');
}

describe('buildMessage', () => {
  it('plain message: X-MSS-NIL only, exact spelling, generated Message-ID, UTF-8 subject, DSN request', async () => {
    const r = await built();
    const lines = headerLines(r.raw);
    expect(lines).toContain('X-MSS-NIL: DEV935997');
    expect(lines.some((l) => /^X-MSS-(INS|CODECDA|MES):/i.test(l))).toBe(false);
    expect(r.messageId).toBe('<11111111-2222-4333-8444-555555555555@connecteur.hopital-a.fr>');
    const m = await simpleParser(r.raw);
    expect(m.subject).toBe('Compte rendu — résultat');
    expect(m.messageId).toBe(r.messageId);
    expect(m.text?.trim()).toBe(BASE.text);
    expect(m.headers.get('x-mss-nil')).toBe('DEV935997');
    expect(r.envelope).toEqual({ from: 'dr.martin@hopital-a.mssante.fr', to: ['dr.durand@medecin.mssante.fr'] });
    expect(r.dsn).toEqual({ id: '11111111-2222-4333-8444-555555555555@connecteur.hopital-a.fr', return: 'headers', notify: ['success', 'failure', 'delay'] });
    // no ORCPT: nodemailer would put one address on every RCPT TO (RFC 3461 §4.2: each recipient's own)
    expect(r.dsn).not.toHaveProperty('recipient');
    expect(r.raw.includes('Disposition-Notification-To')).toBe(false);
  });

  it('with IHE_XDM.zip: X-MSS-INS and X-MSS-CODECDA, threading kept, read receipt, patient FIN', async () => {
    const xdm = packXdm({ cda: [{ xml: CDA }], patient: { ins: '279035121518989', qualified: true }, now: NOW });
    if (!xdm.ok) throw new Error('pack');
    const r = await built({
      to: [{ address: '279035121518989@patient.mssante.fr' }],
      cc: [{ address: 'dr.durand@medecin.mssante.fr' }],
      bcc: [{ address: 'archive@hopital-a.mssante.fr' }],
      subject: 'XDM/1.0/DDM+CR d’imagerie médicale PAT-TROIS DOMINIQUE 28/03/1979',
      xdm: { zip: xdm.zip, cdaCodes: xdm.cdaCodes, insQualified: xdm.insQualified },
      messageId: '<abc.1@hopital-a.fr>',
      inReplyTo: '<prev.2@medecin.fr>',
      references: '<root.1@medecin.fr> <prev.2@medecin.fr>',
      readReceipt: true,
      noReply: true,
    });
    const lines = headerLines(r.raw);
    expect(lines).toEqual(expect.arrayContaining(['X-MSS-NIL: DEV935997', 'X-MSS-INS: O', 'X-MSS-CODECDA: 18748-4', 'X-MSS-MES: FIN', 'Disposition-Notification-To: <dr.martin@hopital-a.mssante.fr>', 'Message-ID: <abc.1@hopital-a.fr>', 'In-Reply-To: <prev.2@medecin.fr>']));
    expect(r.raw.toString('utf8')).not.toMatch(/^Bcc:/im);
    expect(r.envelope.to).toEqual(['279035121518989@patient.mssante.fr', 'dr.durand@medecin.mssante.fr', 'archive@hopital-a.mssante.fr']);
    const m = await simpleParser(r.raw);
    expect(m.messageId).toBe('<abc.1@hopital-a.fr>');
    expect(m.inReplyTo).toBe('<prev.2@medecin.fr>');
    expect(m.references).toEqual(['<root.1@medecin.fr>', '<prev.2@medecin.fr>']);
    expect(m.subject).toBe('XDM/1.0/DDM+CR d’imagerie médicale PAT-TROIS DOMINIQUE 28/03/1979');
    expect(m.attachments.map((a) => [a.filename, a.contentType])).toEqual([['IHE_XDM.zip', 'application/zip']]);
    expect(Buffer.from(m.attachments[0].content).equals(Buffer.from(xdm.zip))).toBe(true);
  });

  it('errors as values: CR/LF in subject, FIN without patient, bad Message-ID, no NIL, size', async () => {
    const r = await buildMessage({ ...BASE, subject: 'a\r\nBcc: x@y.fr', noReply: true, messageId: 'pas-un-id', productReference: '' }, OPTS);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.code).sort()).toEqual(['MIME_MESSAGE_ID_INVALID', 'MSS_HEADER_VALUE_CRLF', 'MSS_MES_NOT_PATIENT', 'MSS_NIL_MISSING']);
    const big = await buildMessage({ ...BASE, attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', content: new Uint8Array(2 * 1024 * 1024) }], operatorMaxBytes: 1024 * 1024 }, OPTS);
    expect(big).toMatchObject({ ok: false, errors: [{ code: 'MSS_SIZE_OPERATOR', message: expect.stringContaining('au plus 1 Mo') }] });
  });

  it('is relayed by nodemailer to a real SMTP server: MAIL FROM RET/ENVID, RCPT NOTIFY, headers intact', async () => {
    const received: { data: string; envelope: any }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      hideDSN: false, // smtp-server hides DSN unless told; MSSanté operators advertise it (MSSANTE.md §7.1)
      logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ data: Buffer.concat(chunks).toString('utf8'), envelope: session.envelope });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.server.address() as AddressInfo).port;
      const r = await built({ readReceipt: true });
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      await transport.sendMail({ envelope: { from: r.envelope.from, to: [...r.envelope.to] }, raw: r.raw, dsn: r.dsn as any });
      transport.close();
      expect(received).toHaveLength(1);
      expect(received[0].data).toMatch(/^X-MSS-NIL: DEV935997\r$/m);
      expect(received[0].data).toContain(`Message-ID: ${r.messageId}`);
      const env = received[0].envelope;
      expect(env.mailFrom.address).toBe('dr.martin@hopital-a.mssante.fr');
      expect(env.rcptTo.map((a: any) => a.address)).toEqual(['dr.durand@medecin.mssante.fr']);
      expect(env.dsn).toMatchObject({ ret: 'HDRS', envid: r.dsn?.id });
      expect(env.rcptTo[0].dsn?.notify).toEqual(['SUCCESS', 'FAILURE', 'DELAY']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
