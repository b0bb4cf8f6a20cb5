// Runtime: any (pure core). The IHE XDM metadata model of an MSSanté IHE_XDM.zip (IHE ITI TF-2b ITI-32, ebRIM 3.0
// SubmitObjectsRequest) with the French XDS coding of MSSANTE.md §2 (checked against the real ANS ITI-41 sample
// `data/xds/ansforge_DRIM-M_DATA__Validateur_XDS__XDS.xml`), and the text of METADATA.XML, INDEX.HTM and README.TXT.
// Ids, hashes, sizes and times are parameters: the connector computes them (crypto, clock) and calls this.

import type { InsKind } from './ins';

/** ebRIM classification schemes and identification schemes (IHE ITI TF-3 §4.2.5). */
export const XDS_UUID = {
  submissionSetClassificationNode: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  stableDocumentEntry: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  hasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  docAuthor: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  docClassCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  docConfidentialityCode: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  docEventCode: 'urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4',
  docFormatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  docHealthcareFacilityTypeCode: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  docPracticeSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  docTypeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  docPatientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  docUniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  setAuthor: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  setContentTypeCode: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  setPatientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  setSourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
  setUniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
} as const;

/** OIDs of the INS assigning authority (MSSANTE.md §2): production NIR / NIA, ANS test and demo identities. */
export const INS_OID = {
  nir: '1.2.250.1.213.1.4.8',
  nia: '1.2.250.1.213.1.4.9',
  test: '1.2.250.1.213.1.4.10',
  demo: '1.2.250.1.213.1.4.11',
} as const;

/** French code systems used by default (MSSANTE.md §2). */
export const FR_CODE_SYSTEMS = {
  classCode: '1.2.250.1.213.1.1.4.1', // TRE_A03-ClasseDocument
  loinc: '2.16.840.1.113883.6.1',
  confidentiality: '2.16.840.1.113883.5.25',
  confidentialityFr: '1.2.250.1.213.1.1.4.13',
  healthcareFacilityType: '1.2.250.1.71.4.2.4',
  practiceSetting: '1.2.250.1.213.1.1.4.9',
  contentType: '1.2.250.1.213.2.2',
  idnps: '1.2.250.1.71.4.2.1',
  idnst: '1.2.250.1.71.4.2.2',
} as const;

/** The INS OID for a matricule kind; `test: true` gives the ANS test OID 1.2.250.1.213.1.4.10 (test identities). */
export function insOid(kind: InsKind, options: { readonly test?: boolean } = {}): string {
  if (options.test) return INS_OID.test;
  return kind === 'nia' ? INS_OID.nia : INS_OID.nir;
}

/** `patientId` (HL7 CX): `<matricule INS>^^^&<OID>&ISO^NH` (MSSANTE.md §2; ECO.2.1.2). */
export function insPatientId(matricule: string, oid: string): string {
  return `${matricule}^^^&${oid}&ISO^NH`;
}

/** Reads a CX `id^^^&oid&ISO^type`; undefined when it is not one. */
export function parsePatientId(cx: string): { id: string; oid: string; type: string } | undefined {
  const m = /^([^^]+)\^\^\^&([0-9.]+)&ISO(?:\^([A-Z]*))?$/.exec(cx.trim());
  return m ? { id: m[1], oid: m[2], type: m[3] ?? '' } : undefined;
}

/** A coded value: `code` in `scheme` with a display name. */
export interface XdsCode {
  readonly code: string;
  readonly scheme: string;
  readonly display: string;
}

/** The four INS traits (INS/va1.53): nom de naissance, premier prénom, date de naissance (`YYYYMMDD`), sexe. */
export interface PatientTraits {
  readonly familyName: string;
  readonly givenName: string;
  readonly birthDate: string;
  readonly sex: 'M' | 'F' | 'U';
}

/** Author as XDS slots: person XCN (`<RPPS>^<NOM>^<Prénom>^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS`), institution XON. */
export interface XdsAuthor {
  readonly person?: string;
  readonly institution?: readonly string[];
  readonly role?: readonly string[];
  readonly specialty?: readonly string[];
}

/** One document of the package. */
export interface XdmDocumentEntry {
  /** ebRIM id (`urn:uuid:…` or a symbolic id). */
  readonly entryId: string;
  /** XDSDocumentEntry.uniqueId (CDA `ClinicalDocument/id`: `root^extension`, or `root`). */
  readonly uniqueId: string;
  /** File name inside `IHE_XDM/SUBSET01/`, e.g. `DOC0001.XML` (URI slot). */
  readonly uri: string;
  readonly mimeType: string;
  /** SHA-1 of the file, lower-case hex (IHE ITI TF-3 §4.2.3.2.11). */
  readonly hash: string;
  readonly size: number;
  readonly title: string;
  /** DTM in UTC, `YYYYMMDDhhmmss` or a shorter precision. */
  readonly creationTime: string;
  readonly serviceStartTime?: string;
  readonly serviceStopTime?: string;
  readonly languageCode: string;
  readonly classCode: XdsCode;
  readonly typeCode: XdsCode;
  readonly formatCode: XdsCode;
  readonly confidentialityCodes: readonly XdsCode[];
  readonly healthcareFacilityTypeCode: XdsCode;
  readonly practiceSettingCode: XdsCode;
  readonly eventCodes: readonly XdsCode[];
  readonly author: XdsAuthor;
  readonly legalAuthenticator?: string;
}

/** The SubmissionSet. */
export interface XdmSubmissionSet {
  readonly entryId: string;
  readonly uniqueId: string;
  readonly sourceId: string;
  /** DTM UTC. */
  readonly submissionTime: string;
  readonly title?: string;
  /** Optional in XDM (ITI TF-3 table 4.3.1-3: R2), e.g. `04` in `1.2.250.1.213.2.2`. */
  readonly contentTypeCode?: XdsCode;
  readonly author: XdsAuthor;
  /** XON/XCN|XTN of the recipients (`intendedRecipient`, e.g. `|^^Internet^dr@x.mssante.fr`). */
  readonly intendedRecipients?: readonly string[];
}

/** The whole metadata of one SUBSET. */
export interface XdmMetadata {
  /** CX patientId, see {@link insPatientId}. */
  readonly patientId: string;
  readonly patient?: PatientTraits;
  readonly submissionSet: XdmSubmissionSet;
  readonly documents: readonly XdmDocumentEntry[];
}

/** Escapes text for XML content and double-quoted attributes; drops characters XML 1.0 cannot carry. */
export function escapeXml(s: string): string {
  // eslint-disable-next-line no-control-regex -- removes the C0 controls XML 1.0 forbids (§2.2)
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

/** Zero-padded decimal (String.prototype.padStart is ES2017; the core targets ES2016). */
function pad(n: number, width: number): string {
  let s = String(n);
  while (s.length < width) s = `0${s}`;
  return s;
}

/** Formats a Date as an XDS DTM in UTC, `YYYYMMDDhhmmss`. */
export function formatXdsTime(date: Date): string {
  const p = (n: number, w = 2) => pad(n, w);
  return `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

/**
 * Converts an HL7 V3 TS (`YYYYMMDD[hhmm[ss[.fff]]][+/-zzzz]`, as in CDA) to an XDS DTM in UTC (ITI TF-3 §4.2.3.1.7):
 * with a time zone the time is shifted to UTC, fractions dropped; without one the value is kept at its precision.
 * Undefined when it is not a TS.
 */
export function hl7TimeToXds(ts: string): string | undefined {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$/.exec(ts.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, tz] = m;
  if (!tz || h === undefined) return `${y}${mo ?? ''}${d ?? ''}${h ?? ''}${mi ?? ''}${s ?? ''}`;
  const sign = tz[0] === '-' ? -1 : 1;
  const offsetMin = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5)));
  const utc = Date.UTC(Number(y), Number(mo ?? '01') - 1, Number(d ?? '01'), Number(h), Number(mi ?? '0'), Number(s ?? '0')) - offsetMin * 60000;
  const full = formatXdsTime(new Date(utc));
  return full.slice(0, 10 + (mi !== undefined ? 2 : 0) + (s !== undefined ? 2 : 0));
}

// --- METADATA.XML ------------------------------------------------------------------------------------------------

const NS = {
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
} as const;

function slot(name: string, values: readonly string[], indent: string): string {
  if (values.length === 0) return '';
  const vs = values.map((v) => `${indent}    <rim:Value>${escapeXml(v)}</rim:Value>\n`).join('');
  return `${indent}<rim:Slot name="${escapeXml(name)}">\n${indent}  <rim:ValueList>\n${vs}${indent}  </rim:ValueList>\n${indent}</rim:Slot>\n`;
}

function localized(tag: 'Name' | 'Description', value: string, indent: string): string {
  return `${indent}<rim:${tag}><rim:LocalizedString xml:lang="fr-FR" charset="UTF-8" value="${escapeXml(value)}"/></rim:${tag}>\n`;
}

interface Ids {
  next(): string;
}

function classification(ids: Ids, scheme: string, object: string, code: XdsCode, indent: string): string {
  return (
    `${indent}<rim:Classification id="${ids.next()}" classificationScheme="${scheme}" classifiedObject="${escapeXml(object)}" nodeRepresentation="${escapeXml(code.code)}">\n` +
    slot('codingScheme', [code.scheme], `${indent}  `) +
    localized('Name', code.display, `${indent}  `) +
    `${indent}</rim:Classification>\n`
  );
}

function authorClassification(ids: Ids, scheme: string, object: string, a: XdsAuthor, indent: string): string {
  const inner =
    slot('authorPerson', a.person ? [a.person] : [], `${indent}  `) +
    slot('authorInstitution', a.institution ?? [], `${indent}  `) +
    slot('authorRole', a.role ?? [], `${indent}  `) +
    slot('authorSpecialty', a.specialty ?? [], `${indent}  `);
  if (inner === '') return '';
  return `${indent}<rim:Classification id="${ids.next()}" classificationScheme="${scheme}" classifiedObject="${escapeXml(object)}" nodeRepresentation="">\n${inner}${indent}</rim:Classification>\n`;
}

function externalIdentifier(ids: Ids, scheme: string, object: string, value: string, name: string, indent: string): string {
  return (
    `${indent}<rim:ExternalIdentifier id="${ids.next()}" identificationScheme="${scheme}" registryObject="${escapeXml(object)}" value="${escapeXml(value)}">\n` +
    localized('Name', name, `${indent}  `) +
    `${indent}</rim:ExternalIdentifier>\n`
  );
}

function sourcePatientInfo(p: PatientTraits | undefined): string[] {
  if (!p) return [];
  return [`PID-5|${p.familyName}^${p.givenName}^^^^^L`, `PID-7|${p.birthDate}`, `PID-8|${p.sex}`];
}

/**
 * METADATA.XML: an ebRIM 3.0 `lcm:SubmitObjectsRequest` with one SubmissionSet (RegistryPackage), one ExtrinsicObject
 * per document and one HasMember Association per document (IHE ITI TF-3 §4.2 / ITI-32). Every text is XML-escaped.
 */
export function buildMetadataXml(m: XdmMetadata): string {
  let n = 0;
  const ids: Ids = { next: () => `id${pad(++n, 3)}` };
  const set = m.submissionSet;
  const i2 = '    ';
  const i3 = '      ';
  let docs = '';
  let assocs = '';
  for (const d of m.documents) {
    docs +=
      `${i2}<rim:ExtrinsicObject id="${escapeXml(d.entryId)}" mimeType="${escapeXml(d.mimeType)}" objectType="${XDS_UUID.stableDocumentEntry}">\n` +
      slot('creationTime', [d.creationTime], i3) +
      slot('hash', [d.hash], i3) +
      slot('languageCode', [d.languageCode], i3) +
      slot('legalAuthenticator', d.legalAuthenticator ? [d.legalAuthenticator] : [], i3) +
      slot('serviceStartTime', d.serviceStartTime ? [d.serviceStartTime] : [], i3) +
      slot('serviceStopTime', d.serviceStopTime ? [d.serviceStopTime] : [], i3) +
      slot('size', [String(d.size)], i3) +
      slot('sourcePatientId', [m.patientId.replace(/\^NH$/, '^PI')], i3) +
      slot('sourcePatientInfo', sourcePatientInfo(m.patient), i3) +
      slot('URI', [d.uri], i3) +
      localized('Name', d.title, i3) +
      authorClassification(ids, XDS_UUID.docAuthor, d.entryId, d.author, i3) +
      classification(ids, XDS_UUID.docClassCode, d.entryId, d.classCode, i3) +
      d.confidentialityCodes.map((c) => classification(ids, XDS_UUID.docConfidentialityCode, d.entryId, c, i3)).join('') +
      d.eventCodes.map((c) => classification(ids, XDS_UUID.docEventCode, d.entryId, c, i3)).join('') +
      classification(ids, XDS_UUID.docFormatCode, d.entryId, d.formatCode, i3) +
      classification(ids, XDS_UUID.docHealthcareFacilityTypeCode, d.entryId, d.healthcareFacilityTypeCode, i3) +
      classification(ids, XDS_UUID.docPracticeSettingCode, d.entryId, d.practiceSettingCode, i3) +
      classification(ids, XDS_UUID.docTypeCode, d.entryId, d.typeCode, i3) +
      externalIdentifier(ids, XDS_UUID.docPatientId, d.entryId, m.patientId, 'XDSDocumentEntry.patientId', i3) +
      externalIdentifier(ids, XDS_UUID.docUniqueId, d.entryId, d.uniqueId, 'XDSDocumentEntry.uniqueId', i3) +
      `${i2}</rim:ExtrinsicObject>\n`;
    assocs +=
      `${i2}<rim:Association id="${ids.next()}" associationType="${XDS_UUID.hasMember}" sourceObject="${escapeXml(set.entryId)}" targetObject="${escapeXml(d.entryId)}">\n` +
      slot('SubmissionSetStatus', ['Original'], i3) +
      `${i2}</rim:Association>\n`;
  }
  const pkg =
    `${i2}<rim:RegistryPackage id="${escapeXml(set.entryId)}">\n` +
    slot('submissionTime', [set.submissionTime], i3) +
    slot('intendedRecipient', set.intendedRecipients ?? [], i3) +
    (set.title ? localized('Name', set.title, i3) : '') +
    authorClassification(ids, XDS_UUID.setAuthor, set.entryId, set.author, i3) +
    (set.contentTypeCode ? classification(ids, XDS_UUID.setContentTypeCode, set.entryId, set.contentTypeCode, i3) : '') +
    externalIdentifier(ids, XDS_UUID.setPatientId, set.entryId, m.patientId, 'XDSSubmissionSet.patientId', i3) +
    externalIdentifier(ids, XDS_UUID.setSourceId, set.entryId, set.sourceId, 'XDSSubmissionSet.sourceId', i3) +
    externalIdentifier(ids, XDS_UUID.setUniqueId, set.entryId, set.uniqueId, 'XDSSubmissionSet.uniqueId', i3) +
    `${i2}</rim:RegistryPackage>\n` +
    `${i2}<rim:Classification id="${ids.next()}" classifiedObject="${escapeXml(set.entryId)}" classificationNode="${XDS_UUID.submissionSetClassificationNode}"/>\n`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}">\n` +
    '  <rim:RegistryObjectList>\n' +
    pkg +
    docs +
    assocs +
    '  </rim:RegistryObjectList>\n' +
    '</lcm:SubmitObjectsRequest>\n'
  );
}

// --- INDEX.HTM and README.TXT ------------------------------------------------------------------------------------

/** Who made the package (README.TXT, ITI TF-1 §16.1.2: vendor, product, version, contact). */
export interface XdmVendorInfo {
  readonly vendor: string;
  readonly product: string;
  readonly version: string;
  readonly contact?: string;
}

/**
 * INDEX.HTM (root): a human-readable list of the documents with links into `IHE_XDM/SUBSET01/`. Contains the document
 * titles and types, never the patient's identity (the archive may be opened by someone else than its recipient).
 */
export function buildIndexHtm(m: XdmMetadata, vendor: XdmVendorInfo): string {
  const rows = m.documents
    .map((d) => `      <li><a href="IHE_XDM/SUBSET01/${escapeXml(d.uri)}">${escapeXml(d.title)}</a> (${escapeXml(d.typeCode.display)}, ${escapeXml(d.mimeType)})</li>\n`)
    .join('');
  return (
    '<!DOCTYPE html>\n<html lang="fr">\n  <head>\n    <meta charset="utf-8"/>\n    <title>Archive IHE XDM</title>\n  </head>\n  <body>\n' +
    '    <h1>Archive IHE XDM (MSSanté)</h1>\n' +
    `    <p>Produite par ${escapeXml(vendor.product)} ${escapeXml(vendor.version)} (${escapeXml(vendor.vendor)}).</p>\n` +
    '    <p>Métadonnées : <a href="IHE_XDM/SUBSET01/METADATA.XML">IHE_XDM/SUBSET01/METADATA.XML</a></p>\n' +
    `    <ul>\n${rows}    </ul>\n  </body>\n</html>\n`
  );
}

/** README.TXT (root): vendor, product and version (ITI TF-1 §16.1.2). CRLF line ends (media for any system). */
export function buildReadmeTxt(vendor: XdmVendorInfo): string {
  return [
    'Archive IHE XDM (IHE ITI-32, option e-mail) - MSSante',
    `Editeur : ${vendor.vendor}`,
    `Logiciel : ${vendor.product} ${vendor.version}`,
    ...(vendor.contact ? [`Contact : ${vendor.contact}`] : []),
    'Contenu : INDEX.HTM (sommaire), IHE_XDM/SUBSET01/METADATA.XML (metadonnees XDS), IHE_XDM/SUBSET01/DOCnnnn.XML (documents CDA).',
    '',
  ].join('\r\n');
}
