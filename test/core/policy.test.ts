// Runtime: Node (jest). evaluateSend: each situation × each mode, fixes, messages; parsePolicy.
import { createClassifier } from '../../src/core/classify';
import { DEFAULT_POLICY, evaluateSend, isTrustedKind, parsePolicy } from '../../src/core/policy';
import { defaultTrustSpace } from '../../src/core/trust-space';
import {
  ADDRESS_KINDS,
  POLICY_MODES,
  TRUSTED_KINDS,
  type CandidateRecipient,
  type Detection,
  type Policy,
  type PolicyMode,
  type RecipientField,
  type SendCandidate,
} from '../../src/core/types';

const classify = createClassifier({
  trustSpace: defaultTrustSpace(),
  gateways: [{ id: 'dsp', domain: 'dsp.paris', localTemplate: '{local}={domain}' }],
  internalDomains: ['chu-exemple.fr'],
});

function to(...addresses: string[]): CandidateRecipient[] {
  return addresses.map((a, i) => ({ field: (['to', 'cc', 'bcc'] as RecipientField[])[i % 3], classification: classify(a) }));
}

const HEALTH: Detection = { healthData: true, score: 12, findings: [{ kind: 'document-type', place: 'body', rule: 'doc.crh', weight: 8 }] };
const NONE: Detection = { healthData: false, score: 0, findings: [] };
const ALL_OFF: Policy = { healthDataToNonMssante: 'off', mixedRecipients: 'off', gatewayRecipient: 'off', patientWithoutQualifiedIns: 'off', connectorDown: 'off' };

const MSS = 'jean.dupont@medecin.mssante.fr';
const GMAIL = 'a.martin@gmail.com';
const WANADOO = 'b.durand@wanadoo.fr';
const GATEWAY = 'jean.dupont=medecin.mssante.fr@dsp.paris';
const PATIENT = '146026322000196@patient.mssante.fr';

// One situation at a time: the other settings are off, so the reason under test is the only one.
const situations: [setting: keyof Policy, candidate: SendCandidate, code: string][] = [
  ['healthDataToNonMssante', { recipients: to(GMAIL), detection: HEALTH }, 'HEALTH_DATA_TO_NON_MSSANTE'],
  ['mixedRecipients', { recipients: to(MSS, GMAIL), detection: NONE }, 'MIXED_RECIPIENTS'],
  ['gatewayRecipient', { recipients: to(GATEWAY), detection: NONE }, 'GATEWAY_RECIPIENT'],
  ['patientWithoutQualifiedIns', { recipients: to(PATIENT), detection: NONE, insQualified: false }, 'PATIENT_WITHOUT_QUALIFIED_INS'],
  ['connectorDown', { recipients: to(MSS), detection: NONE, connectorUnreachable: true }, 'CONNECTOR_UNREACHABLE'],
];
const cases = situations.flatMap(([setting, candidate, code]) =>
  POLICY_MODES.map((mode) => [setting, mode, candidate, code] as const),
);

describe('evaluateSend: each situation × each mode', () => {
  test.each(cases)('%s = %s', (setting, mode: PolicyMode, candidate, code) => {
    const v = evaluateSend(candidate, { ...ALL_OFF, [setting]: mode });
    if (mode === 'off') {
      expect(v.action).toBe('allow');
      expect(v.reasons).toEqual([]);
    } else {
      expect(v.action).toBe(mode);
      expect(v.reasons.map((r) => [r.code, r.action])).toEqual([[code, mode]]);
      expect(v.reasons[0].message.length).toBeGreaterThan(20);
    }
  });

  test('the situations do not fire when they do not apply', () => {
    const policy: Policy = { healthDataToNonMssante: 'block', mixedRecipients: 'block', gatewayRecipient: 'block', patientWithoutQualifiedIns: 'block' };
    // Health data to MSSanté, patient and Apicrypt-bridge recipients only, qualified INS: allowed.
    const v = evaluateSend(
      { recipients: to(MSS, PATIENT, 'selarl.inov@interop-mssante.apicrypt.org'), detection: HEALTH, insQualified: true },
      policy,
    );
    expect(v).toMatchObject({ action: 'allow', reasons: [], fixes: [] });
    // No health data, external recipients only: allowed.
    expect(evaluateSend({ recipients: to(GMAIL, WANADOO), detection: NONE }, policy).action).toBe('allow');
  });
});

describe('evaluateSend: connector unreachable', () => {
  test('a policy without connectorDown (older configuration) warns: never a silent pass', () => {
    const { connectorDown: _omitted, ...older } = DEFAULT_POLICY;
    const v = evaluateSend({ recipients: to(MSS), detection: NONE, connectorUnreachable: true }, older);
    expect(v.action).toBe('warn');
    expect(v.reasons.map((r) => r.code)).toEqual(['CONNECTOR_UNREACHABLE']);
    expect(v.reasons[0].message).toMatch(/liste blanche intégrée/);
  });

  test('connectorDown off: the local check alone decides, health data to a non-MSSanté address is still caught', () => {
    const v = evaluateSend({ recipients: to(GMAIL), detection: HEALTH, connectorUnreachable: true }, { ...DEFAULT_POLICY, connectorDown: 'off' });
    expect(v.reasons.map((r) => r.code)).toEqual(['HEALTH_DATA_TO_NON_MSSANTE']);
  });

  test('parsePolicy accepts connectorDown and defaults it to warn', () => {
    expect(parsePolicy({})).toEqual({ ok: true, policy: DEFAULT_POLICY });
    expect(DEFAULT_POLICY.connectorDown).toBe('warn');
    expect(parsePolicy({ connectorDown: 'block' })).toEqual({ ok: true, policy: { ...DEFAULT_POLICY, connectorDown: 'block' } });
  });
});

describe('evaluateSend: always-on reasons', () => {
  test('an invalid recipient always blocks, even with every setting off', () => {
    const v = evaluateSend({ recipients: to(MSS, 'a@b.fr\r\nBcc: x@y.fr', '146026322000197@patient.mssante.fr'), detection: NONE }, ALL_OFF);
    expect(v.action).toBe('block');
    expect(v.reasons).toEqual([
      {
        code: 'INVALID_RECIPIENT',
        action: 'block',
        addresses: ['a@b.fr\r\nBcc: x@y.fr', '146026322000197@patient.mssante.fr'],
        message:
          '2 adresses sont invalides et ne peuvent pas recevoir de message : a@b.fr\r\nBcc: x@y.fr, ' +
          '146026322000197@patient.mssante.fr. Corrigez-les ou retirez-les.',
      },
    ]);
    expect(v.fixes.map((f) => [f.type, f.address])).toEqual([
      ['remove', 'a@b.fr\r\nBcc: x@y.fr'],
      ['remove', '146026322000197@patient.mssante.fr'],
    ]);
  });

  test('no recipient warns', () => {
    const v = evaluateSend({ recipients: [], content: { subject: 'Bonjour' } }, DEFAULT_POLICY);
    expect(v.action).toBe('warn');
    expect(v.reasons).toEqual([
      { code: 'NO_RECIPIENT', action: 'warn', addresses: [], message: 'Aucun destinataire : ajoutez au moins un destinataire.' },
    ]);
  });
});

describe('evaluateSend: default policy, messages and fixes', () => {
  test('health data to two non-MSSanté recipients among MSSanté ones', () => {
    const v = evaluateSend(
      {
        recipients: to(MSS, GMAIL, WANADOO, GMAIL),
        content: { subject: 'CRH', bodyText: "Ci-joint le compte rendu d'hospitalisation de Mme Martin." },
      },
      DEFAULT_POLICY,
    );
    expect(v.detection.healthData).toBe(true);
    expect(v.action).toBe('warn');
    expect(v.reasons.map((r) => r.code)).toEqual(['HEALTH_DATA_TO_NON_MSSANTE', 'MIXED_RECIPIENTS']);
    expect(v.reasons[0].addresses).toEqual([GMAIL, WANADOO]);
    expect(v.reasons[0].message).toBe(
      'Ce message semble contenir des données de santé et 2 destinataires ne sont pas des adresses MSSanté : ' +
        'a.martin@gmail.com, b.durand@wanadoo.fr. Retirez ces destinataires, envoyez-leur un message séparé sans ' +
        'données de santé, ou envoyez en MSSanté.',
    );
    expect(v.fixes.map((f) => [f.type, f.address ?? null])).toEqual([
      ['remove', GMAIL],
      ['remove', WANADOO],
      ['split', null],
      ['send-via-mssante', null],
    ]);
    expect(v.fixes[2].label).toBe('Envoyer un message séparé, sans données de santé, à a.martin@gmail.com, b.durand@wanadoo.fr');
  });

  test('singular message; no split when nobody is in the trust space', () => {
    const v = evaluateSend({ recipients: to(GMAIL), detection: HEALTH }, DEFAULT_POLICY);
    expect(v.reasons[0].message).toMatch(/^Ce message semble contenir des données de santé et 1 destinataire n'est pas une adresse MSSanté : a\.martin@gmail\.com\. Retirez ce destinataire/);
    expect(v.fixes.map((f) => f.type)).toEqual(['remove', 'send-via-mssante']);
  });

  test('a decodable gateway recipient gets a replace fix', () => {
    const v = evaluateSend({ recipients: to(GATEWAY), detection: NONE }, DEFAULT_POLICY);
    expect(v.action).toBe('warn');
    expect(v.fixes).toEqual([
      {
        type: 'replace',
        address: GATEWAY,
        replacement: MSS,
        label: `Remplacer ${GATEWAY} par son adresse MSSanté ${MSS}`,
      },
    ]);
  });

  test('patient without a qualified INS blocks by default and suggests qualifying it', () => {
    const v = evaluateSend({ recipients: to(PATIENT), content: { bodyText: 'Bonjour' } }, DEFAULT_POLICY);
    expect(v.action).toBe('block');
    expect(v.reasons[0].code).toBe('PATIENT_WITHOUT_QUALIFIED_INS');
    expect(v.fixes.map((f) => f.type)).toEqual(['qualify-ins']);
    expect(evaluateSend({ recipients: to(PATIENT), insQualified: true, content: {} }, DEFAULT_POLICY).action).toBe('allow');
  });

  test('the strongest reason wins and comes first', () => {
    const v = evaluateSend({ recipients: to(GMAIL, PATIENT), detection: HEALTH }, DEFAULT_POLICY);
    expect(v.action).toBe('block');
    expect(v.reasons.map((r) => [r.code, r.action])).toEqual([
      ['PATIENT_WITHOUT_QUALIFIED_INS', 'block'],
      ['HEALTH_DATA_TO_NON_MSSANTE', 'warn'],
      ['MIXED_RECIPIENTS', 'warn'],
    ]);
  });

  test('the directory hook offers a replacement for an ordinary address', () => {
    const v = evaluateSend({ recipients: to(MSS, GMAIL), detection: HEALTH }, DEFAULT_POLICY, {
      suggestMssanteAddress: (c) => (c.address === GMAIL ? 'a.martin@medecin.mssante.fr' : undefined),
    });
    expect(v.fixes[0]).toMatchObject({ type: 'replace', address: GMAIL, replacement: 'a.martin@medecin.mssante.fr' });
  });

  test('detection is computed from the content when not given', () => {
    const v = evaluateSend({ recipients: to(GMAIL), content: { bodyText: 'Voici le NIR : 1 85 05 78 006 084 91' } }, DEFAULT_POLICY);
    expect(v.detection.findings.map((f) => f.rule)).toEqual(['nir.valid']);
    expect(v.reasons.map((r) => r.code)).toEqual(['HEALTH_DATA_TO_NON_MSSANTE']);
  });
});

describe('isTrustedKind agrees with TRUSTED_KINDS', () => {
  test.each(ADDRESS_KINDS.map((k) => [k]))('%s', (kind) => {
    expect(isTrustedKind(kind)).toBe(TRUSTED_KINDS.indexOf(kind) >= 0);
  });
});

describe('parsePolicy', () => {
  test('partial policy is completed with the defaults; absent policy is the default', () => {
    expect(parsePolicy({ healthDataToNonMssante: 'block' })).toEqual({
      ok: true,
      policy: { ...DEFAULT_POLICY, healthDataToNonMssante: 'block' },
    });
    expect(parsePolicy(undefined)).toEqual({ ok: true, policy: DEFAULT_POLICY });
    expect(parsePolicy({})).toEqual({ ok: true, policy: DEFAULT_POLICY });
  });

  test('invalid values and unknown settings are listed in French', () => {
    const r = parsePolicy({ mixedRecipients: 'maybe', gatewayRecipient: 2, patientWithoutQualifiedlns: 'warn' });
    expect(r).toEqual({
      ok: false,
      errors: [
        "Réglage inconnu « patientWithoutQualifiedlns » dans la politique d'envoi : les réglages possibles sont " +
          'healthDataToNonMssante, mixedRecipients, gatewayRecipient, patientWithoutQualifiedIns, connectorDown.',
        "Le réglage « mixedRecipients » de la politique d'envoi vaut \"maybe\" : valeurs possibles « off », « warn », « block » (désactivé, avertir, bloquer).",
        "Le réglage « gatewayRecipient » de la politique d'envoi vaut 2 : valeurs possibles « off », « warn », « block » (désactivé, avertir, bloquer).",
      ],
    });
  });

  test.each([['block'], [['warn']], [42]])('not an object: %j', (value) => {
    const r = parsePolicy(value);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]).toMatch(/^La politique d'envoi doit être un objet JSON/);
  });
});
