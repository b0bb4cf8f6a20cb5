// Runtime: any (pure core). Health-data detection v1 over subject, body text and attachment file names.
//
// What counts as health data here: data about an identifiable person's health, medico-social or social-care
// situation (RGPD art. 4(15) and 9; Code de la santé publique L.1110-4 "secret partagé"). The detector looks for:
//   - a NIR / matricule INS with a valid key (spaces between groups allowed: "1 85 05 78 006 084 91");
//   - an XDM/1.0/DDM subject (the MSSanté convention for a structured health document, MSSANTE.md §0.3);
//   - care document types (CRH, compte rendu opératoire, ordonnance, résultats d'analyses, DLU, PPS, GIR...);
//   - French clinical, medico-social and social-care vocabulary (weighted, accent- and case-insensitive);
//   - signals of one identifiable person (Mme / M. + capitalised name, "né(e) le", "le patient", "la résidente"...).
// Decision: healthData = score >= DETECTION_THRESHOLD and at least one ANCHOR (a valid NIR, an XDM subject, a care
// document type, or a person signal). Vocabulary alone (a newsletter, anonymised statistics) never decides.
// Legal "ordonnance" (du juge, n° 2020-306...) weighs 1 and is no anchor. Numbers that are not valid NIRs (SIRET,
// phone numbers, IBAN, invoice numbers) are ignored. Vocabulary findings are aggregated per kind (rule `vocab.<kind>`)
// so that a rule id never reveals a diagnosis; findings never carry the matched text.
//
// One normalisation pass per text: NFD, combining marks removed, lower case, œ/æ expanded, '_' and typographic
// apostrophes mapped. All regexes are compiled once, at module load.

import { compactNir, validateInsMatricule } from './ins';
import type { ContentToScan, Detection, Finding, FindingKind, FindingPlace } from './types';

/** Score from which content counts as health data (when an anchor is present). */
export const DETECTION_THRESHOLD = 10;
/** An identifiable person (a person anchor) with at least this much health / social content... */
const PERSON_CONTENT_MIN = 3;
/** ...and this total score is health data too, below DETECTION_THRESHOLD. */
const PERSON_SCORE_MIN = 7;

/** Caps per kind: many words of one family do not add up without bound. */
const KIND_CAPS: { readonly [K in FindingKind]?: number } = {
  clinical: 8,
  'medico-social': 8,
  social: 8,
  person: 8,
};

interface RuleDef {
  /** Public rule id (safe to log). For vocabulary, `vocab.<kind>`. */
  readonly id: string;
  readonly kind: FindingKind;
  readonly weight: number;
  /** An anchor is enough, with the score, to decide; vocabulary never is. */
  readonly anchor: boolean;
  /** Regex source on normalised text; a plain space means "one or more white spaces". */
  readonly src: string;
}

type Def = readonly [src: string, weight: number];

// ---- Vocabulary (normalised: no accents, lower case). Aggregated as vocab.<kind>; never anchors. ----

const CLINICAL: readonly Def[] = [
  ['vih|hiv|seropositi(?:f|fs|ve|ves|vite)', 5],
  ['ivg|interruption volontaire de grossesse', 5],
  ['tentatives? de suicide', 5],
  ['antecedents?', 4],
  ['posologies?', 4],
  ['cancers?|cancereu(?:x|se|ses)', 4],
  ['tumeurs?', 4],
  ['carcinomes?', 4],
  ['metastases?', 4],
  ['chimiotherapies?', 4],
  ['radiotherapies?', 4],
  ['insuffisance (?:cardiaque|renale|respiratoire|hepatique)', 4],
  ['infarctus', 4],
  ['epilepsie|epileptiques?', 4],
  ['alzheimer', 4],
  ['demences?', 4],
  ['parkinson', 4],
  ['psychiatri(?:e|que|ques)', 4],
  ['psychoses?', 4],
  ['schizophren(?:e|es|ie)', 4],
  ['bipolaires?', 4],
  ['hepatites?', 4],
  ['biopsies?', 4],
  ['hba1c', 4],
  ['creatinine', 4],
  ['glycemies?', 4],
  ['hemoglobine', 4],
  ['dialyses?', 4],
  ['transfusions?', 4],
  ['addictions?|alcoolisme|toxicomanie|sevrage', 4],
  ['anticoagulants?', 4],
  ['insuline', 4],
  ['oncolog(?:ie|ique|iques)', 4],
  ['soins palliatifs', 4],
  ['fausses? couches?', 4],
  ['troubles? (?:cognitifs?|psychiques?|du comportement|de la deglutition)', 4],
  ['diagnostics?', 3],
  ['pathologies?', 3],
  ['symptomes?', 3],
  ['hospitalise(?:e|es|s|\\(e\\))?', 3],
  ['hospitalisations?', 3],
  ['allergi(?:e|es|que|ques)', 3],
  ['diabet(?:e|es|ique|iques)', 3],
  ['hypertension(?: arterielle)?|hta', 3],
  ['depressi(?:on|ons|f|fs|ve|ves)', 3],
  ['grossesses?|enceinte', 3],
  ['fractures?', 3],
  ['infections?', 3],
  ['fievre', 3],
  ['echographies?', 3],
  ['radiographies?', 3],
  ['irm', 3],
  ['escarres?', 3],
  ['anesthesi(?:e|es|que)', 3],
  ['chirurgi(?:e|es|cal|cale|caux|cales)', 3],
  ['avc', 3],
  ['arrets? de travail', 3],
  ['tension arterielle', 3],
  ['pneumopathies?|pneumonies?', 3],
  ['obesite', 3],
  ['asthme', 3],
  ['bpco', 3],
  ['cardiopathies?', 3],
  ['sequelles?', 3],
  ['plaies?', 3],
  ['pronostic', 3],
  ['auscultation', 3],
  ['examens? cliniques?', 3],
  ['antibiotiques?|antibiotherapies?', 3],
  ['antalgiques?', 3],
  ['perfusions?', 3],
  ['prises? de sang', 3],
  ['mammographies?', 3],
  ['coloscopies?|endoscopies?|fibroscopies?', 3],
  ['electrocardiogrammes?|ecg', 3],
  ['incontinence', 3],
  ['fibrillation (?:auriculaire|atriale)|douleurs? thoraciques?|aphasie|hemiplegi(?:e|que)|hemiparesie', 4],
  ['kaliemie|natremie|ferritine|inr|avk|ecbu|serologies?|mmse|troponine', 4],
  ['tuberculose|autisme|autiste|troubles? (?:mnesiques?|autistiques?)|pedopsychiatr[a-z]*', 4],
  ['phase palliative|fin de vie|palliati(?:f|ve|fs|ves)', 4],
  ['insulino[- ]?dependante?s?', 4],
  ['malaises?|hematomes?|nodules?|ulceres?|gastro[- ]?enterites?|denutrition|perte de poids|prise de poids|perdu \\d+ kg', 3],
  ['tension a \\d+|saturation a? ?\\d+ ?%|\\d+ sa|sonde urinaire|cmp|cannabis|arrets? maladie|deces|decedee?', 3],
  ['doliprane|kardegic|levothyrox|lovenox|eliquis|xarelto|bisoprolol|furosemide|lasilix|methotrexate|bactrim|previscan|amoxicilline|augmentin|paracetamol|morphine|tramadol|metformine|statines?', 3],
  ['(?:prendre|pris|oublie) (?:ses|son|sa|leurs?) (?:medicaments|traitements?|comprimes)', 3],
  ['chutes?|agitee?|agitation|urgences|platre|protheses?|operee?|reeducation|pansements?|monitoring|nourrissons?|oxygene|grippe', 2],
  ['traitements?', 2],
  ['traitee?s? par', 2],
  ['consultations?', 2],
  ['medicaments?', 2],
  ['comprimes?|gelules?', 2],
  ['douleurs?', 2],
  ['injections?', 2],
  ['vaccins?|vaccinations?', 2],
  ['kinesitherapi(?:e|es|eute|eutes)', 2],
  ['soins', 2],
  ['prescri(?:t|te|ts|tes|ption|ptions|re)', 2],
  ['examens? (?:biologiques?|medicaux|medical)', 2],
  ['\\d+(?:[.,]\\d+)?\\s*(?:mg|ml|ui)', 2],
  ['medecin traitant', 2],
  ['scanner', 1],
  ['infirmi(?:er|ere|ers|eres)', 1],
];

const MEDICO_SOCIAL: readonly Def[] = [
  ['gir\\s*[1-6]', 4],
  ["perte d'autonomie", 4],
  ["taux d'incapacite", 4],
  ["allocation personnalisee d'autonomie", 4],
  ['prestation de compensation(?: du handicap)?', 4],
  ['orientation en (?:ehpad|mas|fam|esat|ime)', 4],
  ['mdph', 3],
  ['aah', 3],
  ['pch', 3],
  ['ssiad', 3],
  ['tutelles?|curatelles?', 3],
  ['mesures? de protection (?:juridique|des majeurs)', 3],
  ['mandataires? judiciaires?', 3],
  ['dependance', 3],
  ['unites? (?:alzheimer|protegees?)', 3],
  ['admission en (?:ehpad|etablissement)', 3],
  ['aidants? familia(?:l|ux)', 3],
  ["plans? d'aide|vit seule?|aidante? epuisee?|epuisement", 3],
  ['ehpad', 2],
  ['aidante?s?|isolement|isolee?|ulis', 2],
  ['handicap(?:e|ee|es|ees|s)?', 2],
  ['saad', 2],
  ['esat', 2],
  ['ime', 2],
  ['itep', 2],
  ['sessad', 2],
  ['usld', 2],
  ['accueil de jour', 2],
  ['hebergement temporaire', 2],
  ['aides?-soignante?s?', 1],
  ['apa', 1],
  ['aides? a domicile', 1],
  ['portage de repas', 1],
  ['teleassistance', 1],
];

const SOCIAL: readonly Def[] = [
  ['informations? preoccupantes?', 5],
  ['violences? (?:conjugales?|intrafamiliales?)', 4],
  ['maltraitances?', 4],
  ['enfan(?:ce|t|ts) en danger', 4],
  ["protection de l'enfance", 4],
  ["aide sociale a l'enfance", 4],
  ['abus sexuels?|agressions? sexuelles?', 4],
  ['aemo', 3],
  ['mesures? educatives?', 3],
  ['juges? des enfants', 3],
  ['surendettement', 3],
  ['signalements?', 3],
  ["placement (?:en foyer|familial|de l'enfant)", 3],
  ["mise a l'abri|expulsee?s?|expulsions?", 3],
  ['ase', 2],
  ['dettes?(?: de loyer)?|insalubre|absences? repetees?|hebergee? au 115', 2],
  ['rsa', 2],
  ['precarite', 2],
  ['sans domicile(?: fixe)?|sdf', 2],
  ["hebergement d'urgence", 2],
  ['accompagnement social', 2],
  ['assistante? sociale?|assistants? sociaux', 2],
  ['expulsions? locatives?', 2],
  ['minima sociaux', 2],
  ['mineurs? non accompagnes?', 2],
  ["demandeu(?:r|rs|se|ses) d'asile", 2],
  ['travailleu(?:r|rs|se|ses) sociau?(?:x|l|le|les)?', 1],
];

// ---- Care document types: own rule ids; anchors unless generic. ----

type RuleTuple = readonly [id: string, weight: number, anchor: boolean, src: string];

const DOC_TYPE_DEFS: readonly RuleTuple[] = [
  ['doc.crh', 8, true, "crh|compte[- ]?rendus? d'hospitalisation|cr d'hospitalisation|compte[- ]?rendus? de sejour"],
  [
    'doc.compte-rendu-medical',
    8,
    true,
    "compte[- ]?rendus? (?:operatoires?|de consultation|de sortie|d'examens?|d'imagerie|de biologie|radiologiques?|" +
      "medica(?:l|ux)|d'accouchement|de passage aux urgences|d'echographie|d'irm|de scanner|d'endoscopie|" +
      'anatomopathologiques?|de coloscopie)',
  ],
  [
    'doc.cr-abbrev',
    8,
    true,
    "cr (?:d')?(?:irm|scanner|echo[a-z]*|operatoire|hospitalisation|consultation|biologie|radio[a-z]*|imagerie)|cro",
  ],
  ['doc.compte-rendu', 2, false, 'compte[- ]?rendus?|cr'],
  ['doc.famo', 6, true, 'famo'],
  ['doc.ppcs', 6, true, 'ppcs|plan personnalise de coordination en sante'],
  ['doc.pps', 6, true, 'pps|plans? personnalises? de (?:sante|soins)'],
  ['doc.pai', 6, true, "pai|projets? d'accueil individualises?"],
  [
    'doc.plan-personnalise',
    6,
    true,
    "plans? personnalises? (?:de compensation|d'accompagnement|d'aide|de prevention|de vie)|projets? personnalises?",
  ],
  [
    'doc.bilan',
    8,
    true,
    "bilans? (?:sanguins?|biologiques?|de sante|neuro[a-z]*|psycho[a-z]*|orthophoniques?|geriatriques?|radiologiques?|" +
      "d'entree|infirmiers?|kine[a-z]*|ergo[a-z]*|cardio[a-z]*|auditifs?|ophtalmo[a-z]*|medica(?:l|ux)|de soins|" +
      "d'autonomie|cognitifs?|hepatiques?|renal|renaux|lipidiques?|thyroidiens?)",
  ],
  ['doc.bilan-generic', 1, false, 'bilans?'],
  ['doc.vsm', 8, true, 'volets? de synthese medicale|vsm'],
  [
    'doc.synthese',
    8,
    true,
    "syntheses? (?:medicales?|d'hospitalisation|du dossier|de sejour|psychologiques?|educatives?|sociales?|de sortie|cliniques?)",
  ],
  ['doc.synthese-generic', 1, false, 'syntheses?'],
  ['doc.pre-admission', 8, true, 'pre[- ]?admissions?'],
  ['doc.dlu', 8, true, "dlu|dossiers? de liaison d'urgence"],
  ['doc.notes-sociales', 8, true, 'notes? sociales?'],
  ['doc.signalement', 8, true, 'fiches? de signalement'],
  ['doc.lettre-liaison', 8, true, 'lettres? de liaison|fiches? de liaison'],
  [
    'doc.resultats',
    8,
    true,
    "resultats? d'analyses?(?: medicales| biologiques)?|resultats? (?:de biologie|biologiques?|d'examens?|de laboratoire|sanguins?)",
  ],
  ['doc.certificat', 8, true, "certificats? medica(?:l|ux)|certificats? de deces|certificats? d'arret de travail"],
  ['doc.aggir', 8, true, 'grilles? aggir|aggir'],
  [
    'doc.dossier',
    6,
    true,
    "dossiers? (?:medica(?:l|ux)|de soins|patient|de l'usager|du patient|de la patiente|du resident|de la residente|" +
      "infirmiers?|de l'enfant|sociau?(?:x|l))",
  ],
  ['doc.feuille-soins', 6, true, 'feuilles? de soins'],
  ['doc.demande-admission', 4, true, "demandes? d'admission"],
];
const DOC_TYPES: readonly RuleDef[] = DOC_TYPE_DEFS.map(([id, weight, anchor, src]) => ({
  id,
  kind: 'document-type',
  weight,
  anchor,
  src,
}));

// ---- Person signals on normalised text. ----

const DETERMINERS = "(?:le|la|du|au|a la|de la|un|une|cette|ce|cet|votre|notre|mon|ma|son|sa|l')";

const PERSON_DEFS: readonly RuleTuple[] = [
  ['person.birth-date', 5, true, '(?:nee?|ne\\(e\\)) le (?:\\d{1,2}|1er)|date de naissance|ddn\\s*:?\\s*\\d'],
  ['person.patient', 4, true, `${DETERMINERS}\\s*patient(?:e|\\(e\\))?`],
  ['person.resident', 3, true, `${DETERMINERS}\\s*resident(?:e|\\(e\\))?`],
  ['person.user', 3, true, `${DETERMINERS}\\s*usag(?:er|ere)`],
  ['person.beneficiary', 2, true, `${DETERMINERS}\\s*beneficiaire`],
  ['person.child', 3, true, "(?:l'|cet|votre|notre|son|sa)\\s*enfant"],
  ['person.age', 3, true, "[,(] ?(?:agee? de )?\\d{1,3} (?:ans|mois|semaines)(?![a-z])"],
  ['person.room', 3, true, '(?:chambre|ch\\.) ?\\d{1,4}|box \\d{1,3}'],
  [
    'person.relative',
    3,
    true,
    '(?:sa|ma|votre) (?:mere|fille|soeur|femme|epouse)|(?:son|mon|votre) (?:pere|fils|frere|mari|epoux|epouse)|' +
      "(?:la fille|le fils|l'epouse|l'epoux|le mari|la mere|le pere) (?:de|du)",
  ],
  ['person.group', 1, false, 'patient(?:e)?s|resident(?:e)?s|usag(?:er|ere)s|beneficiaires'],
];
const PERSON_NORMALISED: readonly RuleDef[] = PERSON_DEFS.map(([id, weight, anchor, src]) => ({
  id,
  kind: 'person',
  weight,
  anchor,
  src,
}));

/** "M. Dupont", "Mme MARTIN", "Madame Lefèvre": on the raw text (capitalisation matters). Titles excluded. */
const CIVILITY_NAME =
  /(?:^|[^A-Za-z\u00c0-\u024f])(?:M\.|Mr\.?|Mme\.?|MME\.?|Mlle\.?|MLLE\.?|Monsieur|MONSIEUR|Madame|MADAME|Mademoiselle|MADEMOISELLE)[ \u00a0]+(?!(?:Le|La|Les|L'|LE|LA|LES|Directeur|DIRECTEUR|DIRECTRICE|Directrice|Président|Présidente|Maire|Docteur|Professeur|Monsieur|Madame|Mademoiselle|Ministre|Préfet|Préfète|Juge|Procureur|Cher|Chère)(?![A-Za-z\u00c0-\u024f]))[A-Z\u00c0-\u00d6\u00d8-\u00de][A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f'\u2019-]+/;
const CIVILITY_RULE: RuleDef = { id: 'person.civility-name', kind: 'person', weight: 4, anchor: true, src: '' };

/** "Mme K.", "Karim B.": a civility or a first name, then an initial (on the raw text). */
const INITIAL_NAME =
  /(?:^|[^A-Za-z\u00c0-\u024f])(?:M\.|Mme|Mlle|Monsieur|Madame|[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]{2,})[ \u00a0][A-Z]\.(?![A-Za-z])/;
/** "DUPONT Jean", "CHEVALIER Anne", "DUPONT_Jean" (file names): a surname in capitals, then a first name. */
const UPPER_SURNAME_NAME =
  /(?:^|[^A-Za-z\u00c0-\u024f])[A-Z\u00c0-\u00de]{2,}(?:[-'][A-Z\u00c0-\u00de]{2,})?[ _][A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?![A-Za-z\u00c0-\u024f])/;
/** "la famille Roux". */
const FAMILY_NAME = /(?:^|[^A-Za-z])(?:famille|Famille)[ \u00a0][A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+/;

/**
 * Frequent French first names (INSEE fichier des prénoms, most given 1930–2020, short list): a first name followed
 * by a capitalised word is taken for "Prénom Nom" ("Lucas Moreau"). Names that are common words are left out.
 */
const FIRST_NAMES = (
  'jean marie michel pierre philippe alain nicolas christophe patrick daniel bernard eric frederic laurent stephane ' +
  'david olivier sebastien thierry julien christian jacques didier gerard andre rene louis lucien albert marcel ' +
  'roger robert henri paul claude francois thomas alexandre antoine maxime kevin lucas hugo theo nathan enzo louis ' +
  'gabriel arthur jules leo raphael noah adam mohamed karim yanis mathis tom ethan clement romain guillaume anthony ' +
  'jeanne monique francoise catherine nathalie isabelle sylvie martine christine sophie sandrine valerie celine ' +
  'stephanie veronique nicole chantal jacqueline suzanne denise simone madeleine yvette colette odette paulette ' +
  'anne claire julie marion camille lea emma chloe manon ines sarah laura lina jade louise alice zoe lucie ' +
  'mathilde pauline elodie aurelie emilie audrey melanie charlotte juliette fatima aicha amina yasmine'
).split(' ');
const FIRST_NAME_SET = new Set(FIRST_NAMES);
const CAPITALISED_PAIR =
  /(?:^|[^A-Za-z\u00c0-\u024f])([A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?:-[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+)?)[ \u00a0]([A-Z\u00c0-\u00de][a-z\u00df-\u00ff]{1,}|[A-Z\u00c0-\u00de]{2,})(?![A-Za-z\u00c0-\u024f])/g;
/** Capitalised words after a first name that do not make a person ("Jean Jaurès" stays a person; streets are rare). */
const NOT_SURNAMES = new Set(['Le', 'La', 'Les', 'De', 'Du', 'Des', 'Et', 'En', 'Au', 'Aux']);

const INITIAL_RULE: RuleDef = { id: 'person.initial', kind: 'person', weight: 3, anchor: true, src: '' };
const UPPER_NAME_RULE: RuleDef = { id: 'person.surname-first-name', kind: 'person', weight: 4, anchor: true, src: '' };
const FAMILY_RULE: RuleDef = { id: 'person.family', kind: 'person', weight: 3, anchor: true, src: '' };
const FIRST_NAME_RULE: RuleDef = { id: 'person.first-name-surname', kind: 'person', weight: 4, anchor: true, src: '' };

function hasFirstNameSurname(raw: string): boolean {
  CAPITALISED_PAIR.lastIndex = 0;
  for (let m = CAPITALISED_PAIR.exec(raw); m !== null; m = CAPITALISED_PAIR.exec(raw)) {
    const first = m[1].split('-')[0];
    if (FIRST_NAME_SET.has(normaliseForDetection(first)) && !NOT_SURNAMES.has(m[2])) return true;
    CAPITALISED_PAIR.lastIndex = m.index + 1 + (m[0].length > 1 && /[A-Z\u00c0-\u00de]/.test(m[0][0]) ? 0 : 1);
  }
  return false;
}

const NIR_RULE: RuleDef = { id: 'nir.valid', kind: 'nir', weight: 10, anchor: true, src: '' };
const XDM_RULE: RuleDef = { id: 'xdm.subject', kind: 'xdm-subject', weight: 10, anchor: true, src: '' };
const ORDONNANCE_RULE: RuleDef = { id: 'doc.ordonnance', kind: 'document-type', weight: 6, anchor: true, src: '' };
const ORDONNANCE_LEGAL_RULE: RuleDef = {
  id: 'doc.ordonnance-legal',
  kind: 'document-type',
  weight: 1,
  anchor: false,
  src: '',
};
/** An attached care document is about a person by itself. */
const IN_ATTACHMENT_RULE: RuleDef = { id: 'doc.in-attachment', kind: 'document-type', weight: 4, anchor: true, src: '' };

/** A NIR written compact or in groups (1 85 05 78 006 084 91), not inside a longer run of digits or letters. */
const NIR_IN_TEXT =
  /(^|[^0-9a-z])([1-478](?:[ .-]?[0-9]{2}){2}[ .-]?(?:[0-9]{2}|2[ab])[ .-]?[0-9]{3}[ .-]?[0-9]{3}[ .-]?[0-9]{2})(?![0-9a-z])/g;

const XDM_SUBJECT = /^\s*xdm\/1\.0\/ddm/i;

const ORDONNANCE = /\bordonnances?\b/g;
const ORDONNANCE_MEDICAL_AFTER =
  /^\s*(?:medicales?|de (?:medicaments?|soins|kine[a-z]*|biologie|sortie|lunettes|transport|renouvellement|traitement)|bizone|securisee|du (?:dr|docteur|medecin|pr|professeur)\b|de (?:m\.|mme|monsieur|madame)|pour (?:le|la|mon|ma|votre|son|sa) (?:patient|patiente|fils|fille|mere|pere|enfant))/;
const ORDONNANCE_MEDICAL_BEFORE =
  /(?:(?:prescrite?s?|delivree?s?|vendue?s?|remboursee?s?|disponibles?|uniquement) (?:sur|par) |(?:renouvellement|renouveler|copie|scan|photo|duplicata) (?:de |d')?(?:l'|la |votre |son |sa |mon |ma |cette )?)$/;
const ORDONNANCE_LEGAL_AFTER =
  /^s?\s*(?:n\s*[°o]|numero|\d|du (?:juge|tribunal|president|conseil|premier president|\d)|de la (?:cour|chambre|section)|de (?:non-lieu|refere|protection|placement|renvoi|mise en accusation|taxe|cloture)|royale|ministerielle|penale|juridictionnelle|presidentielle|sur requete|portant|relative|rendue|de (?:19|20)\d\d|en (?:la forme des )?refere)/;
const ORDONNANCE_LEGAL_BEFORE = /(?:juge|tribunal|loi|decret|projet d'|par voie d'|article|cour) (?:une |l'|d'|cette |l)?$/;

function toRegexSource(src: string): string {
  // A plain space (outside a character class) matches any run of white space.
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      out += c + src[i + 1];
      i++;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === ']') {
      inClass = false;
      out += c;
    } else if (c === ' ' && !inClass) out += '\\s+';
    else out += c;
  }
  return out;
}

/** One combined, global regex per family: one capturing group per rule, first alternative wins at a position. */
interface CompiledFamily {
  readonly re: RegExp;
  readonly rules: readonly RuleDef[];
}

function compileFamily(rules: readonly RuleDef[]): CompiledFamily {
  const src = rules.map((r) => `(${toRegexSource(r.src)})`).join('|');
  return { re: new RegExp(`\\b(?:${src})(?![a-z0-9])`, 'g'), rules };
}

function vocabulary(kind: FindingKind, defs: readonly Def[]): RuleDef[] {
  return defs.map(([src, weight]) => ({ id: `vocab.${kind}`, kind, weight, anchor: false, src }));
}

const FAMILIES: readonly CompiledFamily[] = [
  compileFamily(vocabulary('clinical', CLINICAL)),
  compileFamily(vocabulary('medico-social', MEDICO_SOCIAL)),
  compileFamily(vocabulary('social', SOCIAL)),
  compileFamily(DOC_TYPES),
  compileFamily(PERSON_NORMALISED),
];

const FOLD: { readonly [c: string]: string } = {
  œ: 'oe',
  æ: 'ae',
  _: ' ',
  '\u2019': "'",
  '\u2018': "'",
  '\u02bc': "'",
  '\u00a0': ' ',
  '\u202f': ' ',
};

/**
 * A category or sensitivity label naming health, medical, medico-social or social data (normalised text). Generic
 * labels (« Confidentiel », « Interne », « Général ») are not enough.
 */
const HEALTH_MARKER_RE = /\b(sante|medical(e|es|aux)?|medico[- ]social(e|es|aux)?|patients?|soins?|mssante|secret medical|donnees? sociales?|social(e|es|aux)?|usagers?|residents?|dossier (du |de l')?(patient|usager|resident))\b/;
const DECLARED_RULE: RuleDef = { id: 'marker.health', kind: 'declared', weight: DETECTION_THRESHOLD, anchor: true, src: '' };

/** The one normalisation pass: NFD, strip combining marks, lower case, fold œ/æ, '_' and apostrophes. */
function normaliseForDetection(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[œæ_\u2019\u2018\u02bc\u00a0\u202f]/g, (c) => FOLD[c]);
}

/** Rules that matched in one text (subject, body or one attachment name). */
function scanText(raw: string, isSubject: boolean): Set<RuleDef> {
  const hits = new Set<RuleDef>();
  if (raw.length === 0) return hits;
  const norm = normaliseForDetection(raw);

  if (isSubject && XDM_SUBJECT.test(raw)) hits.add(XDM_RULE);

  NIR_IN_TEXT.lastIndex = 0;
  for (let m = NIR_IN_TEXT.exec(norm); m !== null; m = NIR_IN_TEXT.exec(norm)) {
    if (validateInsMatricule(compactNir(m[2])).valid) {
      hits.add(NIR_RULE);
      break;
    }
    NIR_IN_TEXT.lastIndex = m.index + m[1].length + 1; // overlapping candidates
  }

  ORDONNANCE.lastIndex = 0;
  for (let m = ORDONNANCE.exec(norm); m !== null; m = ORDONNANCE.exec(norm)) {
    const after = norm.slice(m.index + m[0].length, m.index + m[0].length + 60);
    const before = norm.slice(Math.max(0, m.index - 40), m.index);
    const medical = ORDONNANCE_MEDICAL_AFTER.test(after) || ORDONNANCE_MEDICAL_BEFORE.test(before);
    const legal = !medical && (ORDONNANCE_LEGAL_AFTER.test(after) || ORDONNANCE_LEGAL_BEFORE.test(before));
    hits.add(legal ? ORDONNANCE_LEGAL_RULE : ORDONNANCE_RULE);
  }

  for (const family of FAMILIES) {
    const re = family.re;
    re.lastIndex = 0;
    for (let m = re.exec(norm); m !== null; m = re.exec(norm)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      // A term glued to a dot is a file extension or an abbreviation ("présentation.pps"), not a word.
      if (m.index > 0 && norm.charCodeAt(m.index - 1) === 0x2e) continue;
      for (let g = 1; g < m.length; g++) {
        if (m[g] !== undefined) {
          hits.add(family.rules[g - 1]);
          break;
        }
      }
    }
  }

  if (CIVILITY_NAME.test(raw)) hits.add(CIVILITY_RULE);
  if (INITIAL_NAME.test(raw)) hits.add(INITIAL_RULE);
  if (UPPER_SURNAME_NAME.test(raw)) hits.add(UPPER_NAME_RULE);
  if (FAMILY_NAME.test(raw)) hits.add(FAMILY_RULE);
  if (hasFirstNameSurname(raw)) hits.add(FIRST_NAME_RULE);
  return hits;
}

/**
 * Detects health, medico-social or social-care data about a person in a message's subject, body text and
 * attachment file names. Pure and synchronous; findings carry kind, place, rule id and weight, never the text.
 *
 * @returns `healthData` (score >= {@link DETECTION_THRESHOLD} with at least one anchor), the score and the findings
 */
export function detectHealthData(content: ContentToScan): Detection {
  const texts: { place: FindingPlace; raw: string; attachmentIndex?: number }[] = [];
  if (content && typeof content.subject === 'string') texts.push({ place: 'subject', raw: content.subject });
  if (content && typeof content.bodyText === 'string') texts.push({ place: 'body', raw: content.bodyText });
  if (content && Array.isArray(content.attachmentNames)) {
    content.attachmentNames.forEach((name, attachmentIndex) => {
      if (typeof name === 'string') texts.push({ place: 'attachment', raw: name, attachmentIndex });
    });
  }

  const findings: Finding[] = [];
  const signals = new Set<RuleDef>();
  if (content && Array.isArray(content.markers)) {
    for (const m of content.markers) {
      if (typeof m === 'string' && HEALTH_MARKER_RE.test(normaliseForDetection(m))) {
        signals.add(DECLARED_RULE);
        findings.push(finding('declared', 'marker', undefined, DECLARED_RULE.id, DECLARED_RULE.weight));
        break;
      }
    }
  }
  for (const t of texts) {
    const hits = scanText(t.raw, t.place === 'subject');
    if (hits.size === 0) continue;
    if (t.place === 'attachment') {
      for (const r of hits) {
        if (r.kind === 'document-type' && r.anchor) {
          hits.add(IN_ATTACHMENT_RULE);
          break;
        }
      }
    }
    const vocab = new Map<FindingKind, number>();
    for (const r of hits) {
      signals.add(r);
      if (r.id.slice(0, 6) === 'vocab.') {
        vocab.set(r.kind, (vocab.get(r.kind) ?? 0) + r.weight);
      } else {
        findings.push(finding(r.kind, t.place, t.attachmentIndex, r.id, r.weight));
      }
    }
    for (const [kind, weight] of vocab) {
      findings.push(finding(kind, t.place, t.attachmentIndex, `vocab.${kind}`, Math.min(weight, KIND_CAPS[kind] ?? weight)));
    }
  }

  const perKind = new Map<FindingKind, number>();
  let anchored = false;
  let personAnchored = false;
  for (const r of signals) {
    perKind.set(r.kind, (perKind.get(r.kind) ?? 0) + r.weight);
    if (r.anchor) anchored = true;
    if (r.anchor && r.kind === 'person') personAnchored = true;
  }
  let score = 0;
  let person = 0;
  for (const [kind, sum] of perKind) {
    const capped = Math.min(sum, KIND_CAPS[kind] ?? sum);
    score += capped;
    if (kind === 'person') person = capped;
  }
  const aboutHealth = score - person;
  // Either enough evidence around an anchor, or one identifiable person AND health / social content about them.
  const personWithContent = personAnchored && aboutHealth >= PERSON_CONTENT_MIN && score >= PERSON_SCORE_MIN;
  return { healthData: (anchored && score >= DETECTION_THRESHOLD) || personWithContent, score, findings };
}

function finding(
  kind: FindingKind,
  place: FindingPlace,
  attachmentIndex: number | undefined,
  rule: string,
  weight: number,
): Finding {
  return attachmentIndex === undefined ? { kind, place, rule, weight } : { kind, place, attachmentIndex, rule, weight };
}
