// Runtime: Node (jest). French labels and plural helpers.
import {
  countFr,
  formatIntegerFr,
  KIND_LABELS_EN,
  KIND_LABELS_FR,
  listFr,
  MAILBOX_TYPE_LABELS_FR,
  pluralFr,
  REASON_LABELS_EN,
  REASON_LABELS_FR,
  VERDICT_LABELS_FR,
  VERDICT_REASON_LABELS_FR,
  verdictReasonMessageFr,
} from '../../src/core/messages-fr';
import { ADDRESS_KINDS, MAILBOX_TYPES, REASON_CODES, VERDICT_ACTIONS, VERDICT_REASON_CODES } from '../../src/core/types';

describe('labels', () => {
  test('every kind, mailbox type, reason, action and verdict reason has a non-empty French label', () => {
    for (const k of ADDRESS_KINDS) expect(KIND_LABELS_FR[k]).toMatch(/\S/);
    for (const k of ADDRESS_KINDS) expect(KIND_LABELS_EN[k]).toMatch(/\S/);
    for (const t of MAILBOX_TYPES) expect(MAILBOX_TYPE_LABELS_FR[t]).toMatch(/^BAL /);
    for (const r of REASON_CODES) expect(REASON_LABELS_FR[r]).toMatch(/\.$/);
    for (const r of REASON_CODES) expect(REASON_LABELS_EN[r]).toMatch(/\.$/);
    for (const a of VERDICT_ACTIONS) expect(VERDICT_LABELS_FR[a]).toMatch(/\S/);
    for (const c of VERDICT_REASON_CODES) expect(VERDICT_REASON_LABELS_FR[c]).toMatch(/\S/);
  });

  test('the words staff use', () => {
    expect(KIND_LABELS_FR).toMatchObject({
      mssante: 'MSSanté',
      patient: 'Patient (Mon Espace Santé)',
      'apicrypt-bridge': 'Passerelle Apicrypt ↔ MSSanté',
      apicrypt: 'Apicrypt (hors MSSanté)',
      external: 'Non sécurisée',
      invalid: 'Invalide',
    });
    expect(MAILBOX_TYPE_LABELS_FR).toEqual({
      PER: 'BAL personnelle',
      ORG: 'BAL organisationnelle',
      APP: 'BAL applicative',
      CAB: 'BAL de cabinet',
    });
  });
});

describe('plural helpers', () => {
  test.each([
    [0, '0 destinataire'],
    [1, '1 destinataire'],
    [2, '2 destinataires'],
    [10000, '10\u202f000 destinataires'],
  ])('countFr(%d)', (n, expected) => expect(countFr(n, 'destinataire', 'destinataires')).toBe(expected));

  test('pluralFr, formatIntegerFr, listFr', () => {
    expect(pluralFr(1, 'est', 'sont')).toBe('est');
    expect(pluralFr(3, 'est', 'sont')).toBe('sont');
    expect(formatIntegerFr(6494)).toBe('6\u202f494');
    expect(formatIntegerFr(-1234567)).toBe('-1\u202f234\u202f567');
    expect(formatIntegerFr(999)).toBe('999');
    expect(listFr(['a', 'b'])).toBe('a, b');
    expect(listFr(['a', 'b', 'c', 'd'], 2)).toBe('a, b et 2 autres');
    expect(listFr(['a', 'b', 'c'], 2)).toBe('a, b et 1 autre');
  });

  test('verdict messages agree in number', () => {
    expect(verdictReasonMessageFr('HEALTH_DATA_TO_NON_MSSANTE', ['a@b.fr', 'c@d.fr'])).toContain(
      '2 destinataires ne sont pas des adresses MSSanté : a@b.fr, c@d.fr.',
    );
    expect(verdictReasonMessageFr('HEALTH_DATA_TO_NON_MSSANTE', ['a@b.fr'])).toContain(
      "1 destinataire n'est pas une adresse MSSanté : a@b.fr.",
    );
    expect(verdictReasonMessageFr('GATEWAY_RECIPIENT', ['x@dsp.paris'])).toMatch(/^1 destinataire passe par une passerelle/);
    expect(verdictReasonMessageFr('GATEWAY_RECIPIENT', ['x@dsp.paris', 'y@dsp.paris'])).toMatch(/^2 destinataires passent/);
    expect(verdictReasonMessageFr('INVALID_RECIPIENT', ['x'])).toBe(
      '1 adresse est invalide et ne peut pas recevoir de message : x. Corrigez-la ou retirez-la.',
    );
  });
});
