// Runtime: Node (jest). Core MSSanté message rules: headers, subject, size, delivery-status explanations.
import { buildDocumentSubject, buildMssHeaders, checkMessageSize, explainDeliveryStatus, normaliseHeaderValue, parseSubjectConventions, MES_MAX_MESSAGE_BYTES } from '../../src/core';

describe('buildMssHeaders', () => {
  it.each([
    ['no XDM: NIL only', { productReference: 'DEV935997', recipients: ['a@x.mssante.fr'] }, [['X-MSS-NIL', 'DEV935997']]],
    ['XDM, 3 CDA, INS not qualified', { productReference: ' DEV935997 ', recipients: ['a@x.mssante.fr'], xdm: { cdaCodes: ['34112-3', 'PRESC-BIO', '15508-5'], insQualified: false } }, [['X-MSS-NIL', 'DEV935997'], ['X-MSS-INS', 'N'], ['X-MSS-CODECDA', '34112-3,PRESC-BIO,15508-5']]],
    ['patient + FIN', { productReference: 'P', recipients: ['279035121518989@Patient.MSSante.fr'], noReply: true }, [['X-MSS-NIL', 'P'], ['X-MSS-MES', 'FIN']]],
  ])('%s', (_name, input, expected) => {
    const r = buildMssHeaders(input);
    expect(r.ok && r.headers.map((h) => [h.name, h.value])).toEqual(expected);
  });
  it('errors', () => {
    const r = buildMssHeaders({ productReference: 'A\nB', recipients: ['a@x.mssante.fr'], noReply: true, xdm: { cdaCodes: ['bad code'], insQualified: true } });
    expect(!r.ok && r.errors.map((e) => e.code)).toEqual(['MSS_HEADER_VALUE_CRLF', 'MSS_CODECDA_INVALID', 'MSS_MES_NOT_PATIENT']);
    expect(normaliseHeaderValue('a\tb  c ', 'X')).toEqual({ ok: true, value: 'a b c' });
  });
});

describe('subject, size, status', () => {
  it('builds and reads the XDM/1.0/DDM+ subject', () => {
    expect(buildDocumentSubject({ label: 'ECHOGRAPHIE ABDOMINOPELVIENNE', familyName: 'Corse', givenName: 'FIGATELLIX', birthDate: '19881012' })).toEqual({ ok: true, subject: 'XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988' });
    expect(buildDocumentSubject({ label: 'x', familyName: '', givenName: 'y', birthDate: '19880230' })).toMatchObject({ ok: false, errors: [{ code: 'MSS_SUBJECT_FIELD_MISSING' }, { code: 'MSS_SUBJECT_BIRTHDATE' }] });
    expect(parseSubjectConventions('[KO Intégration système !][902] XDM/1.0/DDM+X')).toEqual({ documents: true, integrationErrorCode: '902', replaces: false, noReply: false });
    expect(parseSubjectConventions('[Annule et remplace] XDM/1.0/DDM+X')).toMatchObject({ documents: true, replaces: true });
  });
  it('size: operator limit, 25 MB for Mon espace santé', () => {
    expect(checkMessageSize({ sizeBytes: 26 * 1024 * 1024, operatorMaxBytes: 50 * 1024 * 1024, recipients: ['1@patient.mssante.fr'] })).toMatchObject({ ok: false, limitBytes: MES_MAX_MESSAGE_BYTES, error: { code: 'MSS_SIZE_PATIENT', message: expect.stringContaining('25 Mo') } });
    expect(checkMessageSize({ sizeBytes: 26 * 1024 * 1024, operatorMaxBytes: 50 * 1024 * 1024, recipients: ['a@x.mssante.fr'] })).toMatchObject({ ok: true });
  });
  it.each([
    ['5.1.1', 'permanent', "adresse inconnue chez l'opérateur du destinataire"],
    ['4.4.7', 'temporary', 'temporaire'],
    ['2.0.0', 'success', 'remis'],
    ['', 'unknown', 'non reconnu'],
  ])('%s', (status, klass, text) => {
    expect(explainDeliveryStatus(status)).toMatchObject({ class: klass, message: expect.stringContaining(text) });
  });
});
