// Runtime: Node (jest). Health-data detection v1: labelled French examples both ways, hard negatives included.
// Examples are written for the test (fictitious people); the NIR 1 85 05 78 006 084 91 has a valid key (see ins.test.ts).
import { DETECTION_THRESHOLD, detectHealthData } from '../../src/core/detect';
import type { ContentToScan } from '../../src/core/types';

interface Example {
  readonly label: string;
  readonly content: ContentToScan;
  /** Words of the input that must never appear in the detection result. */
  readonly sensitive: readonly string[];
}

const HEALTH: Example[] = [
  {
    label: 'CRH of a named patient',
    content: {
      subject: 'CRH M. Dupont',
      bodyText: "Bonjour, ci-joint le compte rendu d'hospitalisation de M. Dupont, hospitalisé du 2 au 5 mars pour une pneumopathie.",
    },
    sensitive: ['Dupont', 'pneumopathie', '5 mars'],
  },
  {
    label: 'XDM/1.0/DDM subject',
    content: { subject: "XDM/1.0/DDM+Compte rendu d'imagerie MARTIN Paul 19500312", bodyText: '' },
    sensitive: ['MARTIN', 'Paul', '19500312', 'imagerie'],
  },
  {
    label: 'NIR written in groups',
    content: { bodyText: 'Voici le numéro de sécurité sociale demandé : 1 85 05 78 006 084 91.' },
    sensitive: ['1 85 05 78 006 084 91', '185057800608491', '006 084'],
  },
  {
    label: 'NIR compact in an attachment name',
    content: { subject: 'Dossier', attachmentNames: ['185057800608491.pdf'] },
    sensitive: ['185057800608491'],
  },
  {
    label: 'identity, date of birth and diagnosis',
    content: { bodyText: 'Mme Martin, née le 03/04/1942, présente une insuffisance cardiaque décompensée.' },
    sensitive: ['Martin', '03/04/1942', 'insuffisance', 'cardiaque'],
  },
  {
    label: 'medical prescription, subject and attachment',
    content: {
      subject: 'Ordonnance',
      bodyText: "Bonjour, voici l'ordonnance de kinésithérapie pour Mme Leroy.",
      attachmentNames: ['ordonnance_kine_leroy.pdf'],
    },
    sensitive: ['Leroy', 'kinésithérapie'],
  },
  {
    label: 'lab results of a patient',
    content: { bodyText: "Résultats d'analyses de la patiente : créatinine à 180 µmol/L, HbA1c 9,1 %." },
    sensitive: ['créatinine', '180', 'HbA1c', '9,1'],
  },
  {
    label: 'EHPAD pre-admission form',
    content: {
      subject: 'Fiche de pré-admission EHPAD - Mme Petit',
      bodyText: "Veuillez trouver la fiche de pré-admission de Mme Petit (GIR 2, maladie d'Alzheimer).",
    },
    sensitive: ['Petit', 'Alzheimer', 'GIR 2'],
  },
  {
    label: 'DLU of a resident',
    content: { bodyText: 'DLU de la résidente, Mme Bernard, à joindre en cas de transfert aux urgences.' },
    sensitive: ['Bernard', 'transfert'],
  },
  {
    label: 'social notes',
    content: {
      subject: 'Notes sociales',
      bodyText:
        "Notes sociales : Madame Benali, bénéficiaire du RSA, en situation de surendettement, hébergement d'urgence demandé.",
    },
    sensitive: ['Benali', 'surendettement', 'RSA'],
  },
  {
    label: 'discharge letter with a treatment',
    content: {
      bodyText:
        'Lettre de liaison de sortie pour M. Robert : traitement par anticoagulants à poursuivre, contrôle INR dans 7 jours.',
    },
    sensitive: ['Robert', 'anticoagulants', 'INR'],
  },
  {
    label: 'medical certificate',
    content: { bodyText: 'Ci-joint le certificat médical de Monsieur Lefèvre attestant de son incapacité.' },
    sensitive: ['Lefèvre', 'incapacité'],
  },
  {
    label: "school PAI (projet d'accueil individualisé)",
    content: {
      subject: 'PAI',
      bodyText: "Projet d'accueil individualisé de Léa : allergie sévère à l'arachide, traitement d'urgence dans la trousse.",
    },
    sensitive: ['Léa', 'arachide'],
  },
  {
    label: 'PPS with frailty',
    content: {
      bodyText: 'Plan personnalisé de santé (PPS) de Mme Garnier, 84 ans : dénutrition, suivi infirmier à domicile.',
    },
    sensitive: ['Garnier', 'dénutrition', '84 ans'],
  },
  {
    label: 'AGGIR grid',
    content: { bodyText: 'Grille AGGIR de M. Bernard réévaluée ce jour : GIR 3.' },
    sensitive: ['Bernard', 'GIR 3'],
  },
  {
    label: 'operative report',
    content: {
      bodyText: 'Compte-rendu opératoire : cholécystectomie sous cœlioscopie, suites simples. Le patient peut sortir demain.',
    },
    sensitive: ['cholécystectomie', 'cœlioscopie'],
  },
  {
    label: 'clinical free text about one patient',
    content: {
      bodyText: 'Le patient présente un diabète de type 2 déséquilibré, HbA1c à 9 %, traitement par metformine 1000 mg.',
    },
    sensitive: ['diabète', 'metformine', '1000 mg'],
  },
  {
    label: 'hospital stay summary',
    content: { bodyText: "Synthèse d'hospitalisation de Monsieur Garcia, sorti le 12 mars." },
    sensitive: ['Garcia', '12 mars'],
  },
  {
    label: 'blood test of a patient',
    content: { bodyText: 'Bilan sanguin de la patiente à refaire dans 15 jours.' },
    sensitive: ['sanguin', '15 jours'],
  },
  {
    label: 'abuse report form',
    content: { bodyText: 'Fiche de signalement : maltraitance suspectée sur une résidente de 91 ans, Mme Roux.' },
    sensitive: ['Roux', 'maltraitance', '91 ans'],
  },
  {
    label: 'MDPH file of a service user',
    content: { bodyText: "Demande MDPH pour l'usager : taux d'incapacité supérieur à 80 %, demande de PCH." },
    sensitive: ['MDPH', '80 %', 'PCH'],
  },
  {
    label: 'subject only: prescription for a named person',
    content: { subject: 'Ordonnance Mme Durand' },
    sensitive: ['Durand'],
  },
  {
    label: 'attachment name only',
    content: { subject: 'Transmission', bodyText: '', attachmentNames: ['CRH_DUPONT_Jean_2024-03-05.pdf'] },
    sensitive: ['DUPONT', 'Jean', '2024-03-05'],
  },
  {
    label: 'child protection',
    content: {
      bodyText:
        "Information préoccupante concernant l'enfant Lucas, 6 ans : violences conjugales au domicile, suivi par l'ASE.",
    },
    sensitive: ['Lucas', 'violences', 'conjugales'],
  },
  {
    label: 'guardianship and fracture',
    content: {
      bodyText:
        'Madame Colin, 78 ans, sous tutelle : hébergement temporaire en EHPAD à prévoir après une fracture du col du fémur.',
    },
    sensitive: ['Colin', 'tutelle', 'fracture', 'fémur'],
  },
];

const NOT_HEALTH: Example[] = [
  {
    label: 'SIRET (14 digits)',
    content: { bodyText: "Notre SIRET : 732 829 320 00074. Merci de l'indiquer sur vos factures (SIRET 73282932000074)." },
    sensitive: ['732 829 320 00074'],
  },
  {
    label: 'phone numbers',
    content: { bodyText: 'Vous pouvez me joindre au 06 12 34 56 78 ou au +33 1 45 67 89 10, ou au 0145678910.' },
    sensitive: ['06 12 34 56 78'],
  },
  {
    label: 'IBAN',
    content: { bodyText: 'Coordonnées bancaires : IBAN FR76 3000 6000 0112 3456 7890 189, BIC AGRIFRPP. Le bénéficiaire est la SCI.' },
    sensitive: ['FR76'],
  },
  {
    label: 'invoice number of 15 digits that is not a valid NIR',
    content: { subject: 'Relance facture', bodyText: 'Facture n° 185057800608499 à régler avant le 30 avril.' },
    sensitive: ['185057800608499'],
  },
  {
    label: 'legal ordonnance (judge)',
    content: {
      bodyText: 'Par ordonnance du juge des référés du 12 mars 2024, la société est condamnée à payer les sommes dues.',
    },
    sensitive: ['12 mars 2024'],
  },
  {
    label: 'legal ordonnance (government)',
    content: {
      subject: 'Ordonnance n° 2020-306',
      bodyText: "L'ordonnance n° 2020-306 du 25 mars 2020 relative à la prorogation des délais échus pendant la période d'urgence sanitaire.",
    },
    sensitive: ['2020-306'],
  },
  {
    label: 'anonymised statistics',
    content: {
      subject: 'Statistiques 2023',
      bodyText:
        'Données anonymisées : 45 % des patients diabétiques suivis avaient une HbA1c supérieure à 7 %, 12 % des résidents en EHPAD sont en GIR 1.',
    },
    sensitive: ['45 %'],
  },
  {
    label: 'meeting minutes',
    content: { subject: 'Compte rendu CSE', bodyText: 'Compte rendu de la réunion du CSE du 14 mars : ordre du jour, budget, élections.' },
    sensitive: ['CSE'],
  },
  {
    label: 'accounting "bilan" and sales "synthèse"',
    content: {
      bodyText: 'Bilan comptable 2024 et synthèse des ventes du trimestre en pièce jointe.',
      attachmentNames: ['bilan_2024.xlsx', 'synthese_ventes_T1.pdf'],
    },
    sensitive: ['comptable'],
  },
  {
    label: 'commercial letter with "Madame, Monsieur"',
    content: { bodyText: 'Madame, Monsieur, veuillez trouver ci-joint notre offre commerciale pour la maintenance des photocopieurs.' },
    sensitive: ['photocopieurs'],
  },
  {
    label: 'office scanner',
    content: { bodyText: "Le scanner du deuxième étage est en panne, merci d'utiliser celui de l'accueil." },
    sensitive: ['étage'],
  },
  {
    label: 'medical newsletter without any person',
    content: {
      subject: 'Invitation webinaire',
      bodyText:
        'Webinaire : diabète, hypertension et insuffisance cardiaque, les nouvelles recommandations de la HAS sur les traitements et la posologie des antalgiques.',
    },
    sensitive: ['webinaire'],
  },
  {
    label: 'a named person, nothing medical',
    content: { bodyText: 'Mme Durand a confirmé sa présence à la réunion de jeudi à 14 h. Monsieur le Directeur sera présent.' },
    sensitive: ['Durand'],
  },
  {
    label: 'duty roster',
    content: { subject: 'Planning des gardes', bodyText: 'Planning des gardes de mars : merci de vérifier vos créneaux avant vendredi.' },
    sensitive: ['vendredi'],
  },
  {
    label: 'vaccination campaign',
    content: { bodyText: 'Campagne de vaccination antigrippale : les pharmacies partenaires participent à partir du 15 octobre.' },
    sensitive: ['antigrippale'],
  },
  {
    label: 'pharmacy order',
    content: { bodyText: "Commande de 200 boîtes de comprimés de paracétamol 500 mg pour la pharmacie de l'établissement." },
    sensitive: ['paracétamol'],
  },
  {
    label: 'PowerPoint show attachment (.pps is not a PPS)',
    content: { subject: 'Présentation du projet', attachmentNames: ['presentation.pps', 'planning.xlsx'] },
    sensitive: ['presentation'],
  },
  {
    label: '1945 ordinance on juvenile justice',
    content: { bodyText: "L'ordonnance de 1945 relative à l'enfance délinquante a été remplacée par le code de la justice pénale des mineurs." },
    sensitive: ['délinquante'],
  },
  {
    label: 'hospital IT project',
    content: { bodyText: 'Le nouveau dossier patient informatisé sera déployé en juin dans tous les services.' },
    sensitive: ['informatisé'],
  },
  {
    label: 'training session',
    content: { bodyText: "Formation AFGSU : gestes et soins d'urgence pour l'ensemble du personnel, inscription avant le 15 mai." },
    sensitive: ['AFGSU'],
  },
  {
    label: 'IT incident',
    content: { bodyText: 'Le patient zéro du virus informatique a été identifié par le service informatique.' },
    sensitive: ['virus'],
  },
  {
    label: 'RSA key',
    content: { bodyText: 'Clé publique RSA 2048 bits et certificat du serveur en pièce jointe.', attachmentNames: ['serveur.crt'] },
    sensitive: ['2048'],
  },
  {
    label: 'EHPAD annual report',
    content: { bodyText: "Rapport annuel : l'EHPAD a accueilli 120 résidents, taux d'occupation 97 %, GIR moyen pondéré 720." },
    sensitive: ['120'],
  },
  {
    label: 'empty message',
    content: {},
    sensitive: [],
  },
];

function expectNoLeak(example: Example, json: string): void {
  for (const word of example.sensitive) expect(json.toLowerCase()).not.toContain(word.toLowerCase());
}

describe('detectHealthData: health data', () => {
  test.each(HEALTH.map((e) => [e.label, e] as const))('%s', (_label, example) => {
    const d = detectHealthData(example.content);
    expect(d.healthData).toBe(true);
    expect(d.score).toBeGreaterThanOrEqual(DETECTION_THRESHOLD);
    expect(d.findings.length).toBeGreaterThan(0);
    expectNoLeak(example, JSON.stringify(d));
  });
});

describe('detectHealthData: not health data (hard negatives)', () => {
  test.each(NOT_HEALTH.map((e) => [e.label, e] as const))('%s', (_label, example) => {
    const d = detectHealthData(example.content);
    expect(d.healthData).toBe(false);
    expectNoLeak(example, JSON.stringify(d));
  });
});

describe('findings', () => {
  test('carry kind, place, rule and weight only; attachment index for attachments', () => {
    const d = detectHealthData({
      subject: 'XDM/1.0/DDM+CR DUPONT Jean 19500312',
      bodyText: 'Le patient 1 85 05 78 006 084 91 est diabétique.',
      attachmentNames: ['planning.xlsx', 'CRH_Dupont.pdf'],
    });
    for (const f of d.findings) {
      expect(Object.keys(f).sort()).toEqual(
        f.place === 'attachment' ? ['attachmentIndex', 'kind', 'place', 'rule', 'weight'] : ['kind', 'place', 'rule', 'weight'],
      );
    }
    expect(d.findings).toEqual(
      expect.arrayContaining([
        { kind: 'xdm-subject', place: 'subject', rule: 'xdm.subject', weight: 10 },
        { kind: 'nir', place: 'body', rule: 'nir.valid', weight: 10 },
        { kind: 'person', place: 'body', rule: 'person.patient', weight: 4 },
        { kind: 'clinical', place: 'body', rule: 'vocab.clinical', weight: 3 },
        { kind: 'document-type', place: 'attachment', attachmentIndex: 1, rule: 'doc.crh', weight: 8 },
        { kind: 'document-type', place: 'attachment', attachmentIndex: 1, rule: 'doc.in-attachment', weight: 4 },
      ]),
    );
    expect(d.findings.some((f) => f.place === 'attachment' && f.attachmentIndex === 0)).toBe(false);
  });

  test('vocabulary rule ids never name the term (a log line must not reveal a diagnosis)', () => {
    const d = detectHealthData({ bodyText: 'Le patient est séropositif (VIH), suivi en psychiatrie après une IVG.' });
    expect(d.healthData).toBe(true);
    const json = JSON.stringify(d);
    for (const w of ['vih', 'hiv', 'seropositi', 'psychiatr', 'ivg']) expect(json.toLowerCase()).not.toContain(w);
    expect(d.findings.filter((f) => f.kind === 'clinical')).toEqual([
      { kind: 'clinical', place: 'body', rule: 'vocab.clinical', weight: 8 },
    ]);
  });

  test('legal "ordonnance" weighs 1 and is no anchor; the medical one is an anchor', () => {
    const legal = detectHealthData({ bodyText: 'ordonnance du juge des enfants' });
    expect(legal.findings.find((f) => f.kind === 'document-type')).toEqual({
      kind: 'document-type',
      place: 'body',
      rule: 'doc.ordonnance-legal',
      weight: 1,
    });
    const medical = detectHealthData({ bodyText: "renouvellement de l'ordonnance" });
    expect(medical.findings).toEqual([{ kind: 'document-type', place: 'body', rule: 'doc.ordonnance', weight: 6 }]);
  });

  test('medical words without a person never reach the decision, however many', () => {
    const d = detectHealthData({
      bodyText:
        'cancer métastases chimiothérapie radiothérapie VIH IVG diabète insuffisance cardiaque psychiatrie dialyse transfusion biopsie',
    });
    expect(d.healthData).toBe(false);
    expect(d.score).toBe(8); // capped per kind
  });

  test('accent- and case-insensitive, word boundaries respected', () => {
    expect(detectHealthData({ bodyText: 'COMPTE RENDU OPERATOIRE DE MME DURAND' }).healthData).toBe(true);
    expect(detectHealthData({ bodyText: 'compte rendu opératoire de Mme Durand' }).healthData).toBe(true);
    // "base" contains "ase", "diabetologue" is not "diabete": no vocabulary finding.
    expect(detectHealthData({ bodyText: 'la base de données' }).findings).toEqual([]);
  });

  test('large body stays fast (1 MB in well under a second)', () => {
    const body = 'Le planning de la semaine prochaine est disponible sur l’intranet. '.repeat(15_000);
    const t0 = Date.now();
    const d = detectHealthData({ bodyText: body + ' Mme Martin, née le 03/04/1942, diabète de type 2.' });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(d.healthData).toBe(true);
  });
});

describe('markers (Outlook categories, sensitivity label)', () => {
  it.each([
    ['Données de santé', true],
    ['Confidentiel – Médical', true],
    ['Dossier patient', true],
    ['Secret médical', true],
    ['Médico-social', true],
    ['Confidentiel', false],
    ['Général', false],
    ['Urgent', false],
    ['Interne', false],
  ])('%s → health data declared: %s', (marker, expected) => {
    const d = detectHealthData({ subject: 'Point hebdomadaire', bodyText: 'Bonjour, voir ci-dessous.', markers: [marker] });
    expect(d.healthData).toBe(expected);
    if (expected) expect(d.findings).toContainEqual(expect.objectContaining({ kind: 'declared', place: 'marker', rule: 'marker.health' }));
    expect(JSON.stringify(d)).not.toContain(marker);
  });
});
