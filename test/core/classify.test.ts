// Runtime: Node (jest). Classification with the real 2025-02-28 liste blanche loaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyAddress,
  classifyBatch,
  checkGatewayPattern,
  createClassifier,
  type ClassifyContext,
} from '../../src/core/classify';
import { parseListeBlanche, TrustSpace } from '../../src/core/trust-space';
import type { AddressKind, DirectoryEntry, ReasonCode } from '../../src/core/types';

const xml = readFileSync(join(__dirname, '..', 'fixtures', 'listeblanche', 'listeblanchemssante_2025-02-28.xml'), 'utf8');
const trustSpace = TrustSpace.fromListeBlanche(parseListeBlanche(xml));

const directoryEntries: DirectoryEntry[] = [
  { address: 'jean-marie.dupont@infirmier.mssante.fr', mailboxType: 'PER', displayName: 'Jean-Marie Dupont' },
  { address: 'secretariat.drhouse@aura.mssante.fr', mailboxType: 'ORG' },
  { address: 'jean.dupont@medecin.mssante.fr', mailboxType: 'PER' },
];
const directoryMap = new Map(directoryEntries.map((e) => [e.address, e]));

const ctx: ClassifyContext = {
  trustSpace,
  gateways: [
    { id: 'dsp', label: 'Passerelle DSP', domain: 'dsp.paris', localTemplate: '{local}={domain}' },
    { id: 'relais', domain: '*.passerelle.example.fr', localTemplate: 'mss.{local}.at.{domain}' },
    { id: 'opaque', domain: 'relais-opaque.example.fr' },
  ],
  internalDomains: ['chu-exemple.fr', 'Hôpital-Exemple.fr'],
  directory: (a) => directoryMap.get(a),
};

type Row = [input: string, kind: AddressKind, reason: ReasonCode, extra?: Record<string, unknown>];

const table: Row[] = [
  // MSSanté domains of the real list (MSSANTE.md §3.1 examples).
  ['prenom.nom@pro.mssante.fr', 'mssante', 'TRUST_SPACE_DOMAIN'],
  ['cardiologie@ch-xyz.mssante.fr', 'external', 'LOOKALIKE_DOMAIN'], // ch-xyz is an example name, not on the list
  ['Jean-Marie.Dupont@Infirmier.MSSante.fr', 'mssante', 'DIRECTORY_MAILBOX', { mailboxType: 'PER' }],
  ['"Secrétariat" <secretariat.drhouse@aura.mssante.fr>', 'mssante', 'DIRECTORY_MAILBOX', { mailboxType: 'ORG', displayName: 'Secrétariat' }],
  ['x@pharmacrypt.mssante.fr', 'mssante', 'TRUST_SPACE_DOMAIN'],
  ['x@1001-services.mssante.fr.', 'mssante', 'TRUST_SPACE_DOMAIN', { address: 'x@1001-services.mssante.fr' }],
  // Patient addresses need a valid matricule INS.
  ['146026322000196@patient.mssante.fr', 'patient', 'PATIENT_INS_VALID'],
  ['175032A12345606@patient.mssante.fr', 'patient', 'PATIENT_INS_VALID', { address: '175032a12345606@patient.mssante.fr' }],
  ['282112B04501230@patient.mssante.fr', 'patient', 'PATIENT_INS_VALID'],
  ['785057800608482@patient.mssante.fr', 'patient', 'PATIENT_INS_VALID'],
  ['146026322000197@patient.mssante.fr', 'invalid', 'PATIENT_INS_INVALID'],
  ['14602632200019@patient.mssante.fr', 'invalid', 'PATIENT_INS_INVALID'],
  ['jean.dupont@patient.mssante.fr', 'invalid', 'PATIENT_INS_INVALID'],
  ['585057800608491@patient.mssante.fr', 'invalid', 'PATIENT_INS_INVALID'],
  ['reponse.automatique-test@patient.mssante.fr', 'mssante', 'TRUST_SPACE_DOMAIN'],
  // Apicrypt.
  ['selarl.inov@interop-mssante.apicrypt.org', 'apicrypt-bridge', 'APICRYPT_BRIDGE_DOMAIN'],
  ['dr.x@mssante.apicrypt.org', 'apicrypt-bridge', 'APICRYPT_BRIDGE_DOMAIN'],
  ['prenom.NOM@medical75.apicrypt.org', 'apicrypt', 'APICRYPT_NATIVE_DOMAIN'],
  ['x@apicrypt.org', 'apicrypt', 'APICRYPT_NATIVE_DOMAIN'],
  // Not MSSanté.
  ['jean.dupont@gmail.com', 'external', 'NOT_IN_TRUST_SPACE'],
  ['a@mssante.fr.evil.com', 'external', 'LOOKALIKE_DOMAIN'],
  ['a@ch-x-mssante.fr', 'external', 'LOOKALIKE_DOMAIN'],
  ['a@mssante.fr', 'external', 'LOOKALIKE_DOMAIN'],
  ['a@ms-sante.fr', 'external', 'LOOKALIKE_DOMAIN'],
  ['a@mssanté.fr', 'external', 'LOOKALIKE_DOMAIN', { address: 'a@xn--mssant-gva.fr' }],
  ['a@sub.medecin.mssante.fr', 'external', 'LOOKALIKE_DOMAIN'],
  ['a@apicrypt.org.evil.com', 'external', 'LOOKALIKE_DOMAIN'],
  ['a@sante.gouv.fr', 'external', 'NOT_IN_TRUST_SPACE'],
  // Gateways.
  ['jean.dupont=medecin.mssante.fr@dsp.paris', 'gateway', 'GATEWAY_DECODED', { decodedAddress: 'jean.dupont@medecin.mssante.fr', gatewayId: 'dsp', mailboxType: 'PER' }],
  ['Jean.Dupont=Medecin.MSSante.fr@DSP.paris', 'gateway', 'GATEWAY_DECODED', { decodedAddress: 'jean.dupont@medecin.mssante.fr' }],
  ['jean.dupont=gmail.com@dsp.paris', 'gateway', 'GATEWAY_UNDECODABLE', { gatewayId: 'dsp' }],
  ['standard@dsp.paris', 'gateway', 'GATEWAY_UNDECODABLE'],
  ['mss.jean.dupont.at.medecin.mssante.fr@idf.passerelle.example.fr', 'gateway', 'GATEWAY_DECODED', { decodedAddress: 'jean.dupont@medecin.mssante.fr', gatewayId: 'relais' }],
  ['a@passerelle.example.fr', 'external', 'NOT_IN_TRUST_SPACE'], // wildcard covers sub-domains only
  ['x=medecin.mssante.fr@relais-opaque.example.fr', 'gateway', 'GATEWAY_UNDECODABLE', { gatewayId: 'opaque' }],
  // Internal domains, exact and sub-domain.
  ['a@chu-exemple.fr', 'internal', 'INTERNAL_DOMAIN'],
  ['a@rh.chu-exemple.fr', 'internal', 'INTERNAL_DOMAIN'],
  ['a@hôpital-exemple.fr', 'internal', 'INTERNAL_DOMAIN'],
  ['a@chu-exemple.fr.evil.com', 'external', 'NOT_IN_TRUST_SPACE'],
  // IDN, quoted local part, comments, display name with a comma.
  ['contact@hôpital.fr', 'external', 'NOT_IN_TRUST_SPACE', { address: 'contact@xn--hpital-ixa.fr' }],
  ['"jean dupont"@pro.mssante.fr', 'mssante', 'TRUST_SPACE_DOMAIN', { address: '"jean dupont"@pro.mssante.fr' }],
  ['jean(cardio)@pro.mssante.fr (Dr Jean)', 'mssante', 'TRUST_SPACE_DOMAIN', { address: 'jean@pro.mssante.fr' }],
  ['Dupont, Jean <jean.dupont@medecin.mssante.fr>', 'mssante', 'DIRECTORY_MAILBOX', { displayName: 'Dupont, Jean' }],
  // Bad input.
  ['a@b.fr\r\nBcc: x@y.fr', 'invalid', 'INVALID_SYNTAX', { addressError: 'ADDRESS_CONTROL_CHAR' }],
  ['jean\u0000@pro.mssante.fr', 'invalid', 'INVALID_SYNTAX', { addressError: 'ADDRESS_CONTROL_CHAR' }],
  ['jean\u202e@pro.mssante.fr', 'invalid', 'INVALID_SYNTAX', { addressError: 'ADDRESS_CONTROL_CHAR' }],
  [`${'a'.repeat(290)}@pro.mssante.fr`, 'invalid', 'INVALID_SYNTAX', { addressError: 'ADDRESS_TOO_LONG' }],
  ['', 'invalid', 'INVALID_SYNTAX', { addressError: 'ADDRESS_EMPTY' }],
  ['pro.mssante.fr', 'invalid', 'INVALID_SYNTAX', { addressError: 'ADDRESS_SYNTAX' }],
  ['a@[10.0.0.1]', 'invalid', 'INVALID_SYNTAX', { addressError: 'ADDRESS_DOMAIN' }],
];

describe('classifyAddress (real liste blanche)', () => {
  // Every row gets 4 arguments (a missing 4th would be taken for jest's `done` callback).
  test.each(table.map(([i, k, r, e]) => [i, k, r, e ?? {}] as const))('%j -> %s / %s', (input, kind, reason, extra) => {
    const c = classifyAddress(input, ctx);
    expect(c.kind).toBe(kind);
    expect(c.reason).toBe(reason);
    expect(c).toMatchObject(extra);
    if (kind === 'invalid' && reason === 'INVALID_SYNTAX') expect(c.address).toBeUndefined();
    else expect(c.address).toMatch(/^[^@]+@[a-z0-9.-]+$/);
    if (kind !== 'gateway') expect(c.decodedAddress).toBeUndefined();
    if (kind === 'patient') expect(c.mailboxType).toBeUndefined(); // a Mon Espace Santé box is not a TRE_R257 BAL
  });

  test('input is kept trimmed; the directory entry travels with the classification', () => {
    const c = classifyAddress('  jean.dupont@medecin.mssante.fr ', ctx);
    expect(c.input).toBe('jean.dupont@medecin.mssante.fr');
    expect(c.directory).toEqual(directoryEntries[2]);
  });

  test('without a context directory or gateways, the same rules apply', () => {
    const plain = createClassifier({ trustSpace });
    expect(plain('jean.dupont=medecin.mssante.fr@dsp.paris')).toMatchObject({ kind: 'external', reason: 'NOT_IN_TRUST_SPACE' });
    expect(plain('jean.dupont@medecin.mssante.fr')).toMatchObject({ kind: 'mssante', reason: 'TRUST_SPACE_DOMAIN' });
    expect(plain('a@chu-exemple.fr').kind).toBe('external');
  });

  test('only real list membership counts: a trust space without the bridge domains makes them native Apicrypt', () => {
    const small = createClassifier({ trustSpace: TrustSpace.fromDomains(['medecin.mssante.fr']) });
    expect(small('selarl.inov@interop-mssante.apicrypt.org').kind).toBe('apicrypt');
    expect(small('x@pro.mssante.fr')).toMatchObject({ kind: 'external', reason: 'LOOKALIKE_DOMAIN' });
  });

  test('an untyped caller passing a non-string gets an invalid classification, not a crash', () => {
    const classify = createClassifier(ctx);
    expect(classify(undefined as unknown as string)).toMatchObject({ kind: 'invalid', addressError: 'ADDRESS_EMPTY' });
    expect(classify(42 as unknown as string)).toMatchObject({ kind: 'invalid', addressError: 'ADDRESS_SYNTAX', input: '42' });
  });
});

describe('gateway configuration errors throw (configuration is validated at the edge)', () => {
  test.each([
    [{ id: 'g', domain: 'pas un domaine' }],
    [{ id: 'g', domain: 'dsp.paris', localTemplate: '{local}' }],
    [{ id: 'g', domain: 'dsp.paris', localTemplate: '{local}{domain}' }],
    [{ id: 'g', domain: 'dsp.paris', localTemplate: '{local}={domain}={local}' }],
    [{ id: '', domain: 'dsp.paris' }],
  ])('%j', (g) => {
    expect(checkGatewayPattern(g).length).toBeGreaterThan(0);
    expect(() => createClassifier({ trustSpace, gateways: [g] })).toThrow(RangeError);
  });
  test('invalid internal domain', () => {
    expect(() => createClassifier({ trustSpace, internalDomains: ['localhost'] })).toThrow(/Domaine interne invalide/);
  });
  test('a valid pattern has no error', () => {
    expect(checkGatewayPattern({ id: 'dsp', domain: '*.dsp.paris', localTemplate: 'mss.{local}.at.{domain}' })).toEqual([]);
  });
});

describe('classifyBatch: bad batches are typed values', () => {
  test('10,000 recipients -> BATCH_TOO_LARGE', () => {
    const r = classifyBatch(new Array(10_000).fill('a@pro.mssante.fr'), ctx);
    expect(r).toEqual({
      ok: false,
      code: 'BATCH_TOO_LARGE',
      message: "Trop d'adresses en une fois (10\u202f000 ; 500 au maximum) : découpez la liste en plusieurs envois.",
    });
  });
  test('maxItems option', () => {
    expect(classifyBatch(['a@b.fr', 'c@d.fr'], ctx, { maxItems: 1 })).toMatchObject({ ok: false, code: 'BATCH_TOO_LARGE' });
    const r = classifyBatch(new Array(10_000).fill('a@pro.mssante.fr'), ctx, { maxItems: 10_000 });
    expect(r.ok && r.results.length).toBe(10_000);
  });
  test('empty list', () => {
    expect(classifyBatch([], ctx)).toMatchObject({ ok: false, code: 'BATCH_EMPTY', message: expect.stringMatching(/vide/) });
  });
  test('not a list', () => {
    expect(classifyBatch('a@b.fr' as unknown as string[], ctx)).toMatchObject({ ok: false, code: 'BATCH_NOT_A_LIST' });
    expect(classifyBatch({ 0: 'a@b.fr', length: 1 } as unknown as string[], ctx)).toMatchObject({ ok: false, code: 'BATCH_NOT_A_LIST' });
  });
  test('non-strings in the batch', () => {
    const r = classifyBatch(['a@b.fr', 3, null, { address: 'x@y.fr' }], ctx);
    expect(r).toEqual({
      ok: false,
      code: 'BATCH_ITEM_NOT_A_STRING',
      message: "3 éléments de la liste ne sont pas du texte (n° 2, 3, 4) : chaque adresse doit être une chaîne de caractères.",
    });
  });
  test('a good batch keeps order and reports bad addresses in place', () => {
    const r = classifyBatch(['jean.dupont@medecin.mssante.fr', 'a@b.fr\r\nBcc: x@y.fr', 'x@gmail.com'], ctx);
    expect(r.ok && r.results.map((c) => c.kind)).toEqual(['mssante', 'invalid', 'external']);
  });
});
