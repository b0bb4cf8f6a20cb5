// Runtime: Node (connector). Builds an MSSanté IHE_XDM.zip (IHE ITI-32, e-mail option; MSSANTE.md §2) from CDA R2
// documents: INDEX.HTM and README.TXT at the root, IHE_XDM/SUBSET01/METADATA.XML and DOC0001.XML… with SHA-1 hashes
// and sizes. Returns a value: the archive, the X-MSS-CODECDA codes and X-MSS-INS qualification, or French errors.

import { createHash, randomUUID } from 'node:crypto';
import { zipSync, type Zippable } from 'fflate';
import {
  buildIndexHtm,
  buildMetadataXml,
  buildReadmeTxt,
  FR_CODE_SYSTEMS,
  INS_OID,
  insOid,
  insPatientId,
  validateInsMatricule,
  formatXdsTime,
  type PatientTraits,
  type XdmDocumentEntry,
  type XdmMetadata,
  type XdmVendorInfo,
  type XdsAuthor,
  type XdsCode,
} from '../../core';
import { CdaError, readCdaHeader, type CdaHeader } from './cda';

/** Paths inside the archive. */
export const XDM_PATHS = {
  index: 'INDEX.HTM',
  readme: 'README.TXT',
  subset: 'IHE_XDM/SUBSET01/',
  metadata: 'IHE_XDM/SUBSET01/METADATA.XML',
} as const;

/** Error codes of {@link packXdm}. */
export const XDM_PACK_ERROR_CODES = [
  'XDM_NO_DOCUMENT',
  'XDM_INS_INVALID',
  'XDM_INS_MISMATCH',
  'XDM_CDA_NOT_XML',
  'XDM_CDA_NOT_CLINICAL_DOCUMENT',
  'XDM_CDA_CODE_MISSING',
  'XDM_CODE_MISSING',
] as const;
/** One of {@link XDM_PACK_ERROR_CODES}. */
export type XdmPackErrorCode = (typeof XDM_PACK_ERROR_CODES)[number];

/** One problem, French for users; `document` is the 1-based index of the CDA (never its name or content). */
export interface XdmPackError {
  readonly code: XdmPackErrorCode;
  readonly message: string;
  readonly document?: number;
}

/** One CDA document to pack. `xml` as text, or the file's bytes (kept byte for byte; hashed as given). */
export interface CdaInput {
  /** Original file name: not used in the archive (names are DOC0001.XML…), kept for the caller's messages. */
  readonly fileName?: string;
  readonly xml: string | Uint8Array;
}

/** Input of {@link packXdm}. Defaults are documented per field. */
export interface PackXdmInput {
  readonly cda: readonly CdaInput[];
  readonly patient: {
    /** Matricule INS (15 characters). */
    readonly ins: string;
    /** INS OID; default: the OID the CDA gives this matricule, else by kind (NIR 1.2.250.1.213.1.4.8, NIA …4.9). */
    readonly oid?: string;
    /** Use the ANS test OID 1.2.250.1.213.1.4.10 (test identities). Default false. */
    readonly testIns?: boolean;
    /** The 4 traits; default: read from the first CDA `recordTarget`. */
    readonly traits?: PatientTraits;
    /** True when the identity status is "qualifiée" (INS/va1.53): `X-MSS-INS: O`. Default false. */
    readonly qualified?: boolean;
  };
  /** SubmissionSet author; default: the first CDA's author (XCN / XON). */
  readonly author?: XdsAuthor;
  /** Submission time. */
  readonly now: Date;
  /** README.TXT / INDEX.HTM vendor block. Default: mss-outlook. */
  readonly vendor?: XdmVendorInfo;
  /** Default `10` Compte rendu (TRE_A03, 1.2.250.1.213.1.1.4.1) [I: set it from the document type]. */
  readonly classCode?: XdsCode;
  /** Default by CDA body: level 1 PDF/text → IHE XDS-SD format codes; structured body → this option is required. */
  readonly formatCode?: XdsCode;
  /** Used when the CDA has no `healthCareFacility/code`. */
  readonly healthcareFacilityTypeCode?: XdsCode;
  /** Used when the CDA has no performer `standardIndustryClassCode`. */
  readonly practiceSettingCode?: XdsCode;
  /** SubmissionSet contentTypeCode (optional in XDM). */
  readonly contentTypeCode?: XdsCode;
  /** intendedRecipient values, e.g. `|^^Internet^dr.x@hopital.mssante.fr`. */
  readonly intendedRecipients?: readonly string[];
  /** SubmissionSet sourceId (the sending system's OID); default a `2.25.<uuid>` OID. Configure it in production. */
  readonly sourceId?: string;
  /** Injectable id source (tests): returns a UUID. Default crypto.randomUUID. */
  readonly uuid?: () => string;
}

/** A packed archive. */
export interface PackedXdm {
  readonly ok: true;
  /** IHE_XDM.zip bytes. */
  readonly zip: Uint8Array;
  readonly metadata: XdmMetadata;
  /** `ClinicalDocument/code/@code` per document, for X-MSS-CODECDA. */
  readonly cdaCodes: readonly string[];
  /** For X-MSS-INS. */
  readonly insQualified: boolean;
  readonly patientId: string;
  /** Files of the subset, in order. */
  readonly documents: ReadonlyArray<{ readonly path: string; readonly size: number; readonly hash: string }>;
}

/** Outcome of {@link packXdm}. */
export type PackXdmResult = PackedXdm | { readonly ok: false; readonly errors: readonly XdmPackError[] };

const DEFAULT_VENDOR: XdmVendorInfo = { vendor: 'mss-outlook', product: 'mss-outlook', version: '0.1.0' };
const DEFAULT_CLASS: XdsCode = { code: '10', scheme: FR_CODE_SYSTEMS.classCode, display: 'Compte rendu' };
const CONF_NORMAL: XdsCode = { code: 'N', scheme: FR_CODE_SYSTEMS.confidentiality, display: 'Normal' };
/** IHE XDS-SD format codes for CDA level 1 (scanned-document content profile, ITI TF-3 §5.2). */
const XDS_SD_FORMAT: Readonly<Record<string, XdsCode>> = {
  'application/pdf': { code: 'urn:ihe:iti:xds-sd:pdf:2008', scheme: '1.3.6.1.4.1.19376.1.2.3', display: 'Document à corps non structuré en Pdf/A-1' },
  'text/plain': { code: 'urn:ihe:iti:xds-sd:text:2008', scheme: '1.3.6.1.4.1.19376.1.2.3', display: 'Document à corps non structuré en texte brut' },
};
const INS_OIDS = new Set<string>(Object.values(INS_OID));

/** `2.25.<decimal of a UUID>` (ITU-T X.667): an OID without a registered root. */
export function uuidOid(uuid: string): string {
  return `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`).toString(10)}`;
}

/** SHA-1, lower-case hex (IHE hash slot). */
export function sha1Hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** Packs CDA documents into IHE_XDM.zip. */
export function packXdm(input: PackXdmInput): PackXdmResult {
  const uuid = input.uuid ?? randomUUID;
  const errors: XdmPackError[] = [];
  if (input.cda.length === 0) errors.push({ code: 'XDM_NO_DOCUMENT', message: 'Aucun document CDA à empaqueter : ajoutez au moins un document.' });
  const ins = input.patient.ins.trim().toUpperCase();
  const check = validateInsMatricule(ins);
  if (!check.valid) errors.push({ code: 'XDM_INS_INVALID', message: check.message });

  const parsed: Array<{ bytes: Uint8Array; header: CdaHeader }> = [];
  input.cda.forEach((doc, i) => {
    const bytes = typeof doc.xml === 'string' ? new TextEncoder().encode(doc.xml) : doc.xml;
    const xml = typeof doc.xml === 'string' ? doc.xml : new TextDecoder('utf-8').decode(doc.xml);
    try {
      const header = readCdaHeader(xml);
      if (!header.code) errors.push({ code: 'XDM_CDA_CODE_MISSING', document: i + 1, message: `Document ${i + 1} : l'élément ClinicalDocument/code est absent ou sans attribut code ; l'en-tête X-MSS-CODECDA ne peut pas être renseigné.` });
      parsed.push({ bytes, header });
    } catch (e) {
      if (!(e instanceof CdaError)) throw e;
      errors.push({ code: e.code === 'CDA_NOT_XML' ? 'XDM_CDA_NOT_XML' : 'XDM_CDA_NOT_CLINICAL_DOCUMENT', document: i + 1, message: `Document ${i + 1} : ${e.message}` });
    }
  });

  // One patient per message (ECO.2.1.1): an INS in the CDA (INS OID) must be the one given.
  let cdaOid: string | undefined;
  parsed.forEach(({ header }, i) => {
    for (const id of header.patient.ids) {
      if (!INS_OIDS.has(id.root) || !id.extension) continue;
      if (id.extension.toUpperCase() !== ins) {
        errors.push({ code: 'XDM_INS_MISMATCH', document: i + 1, message: `Document ${i + 1} : le matricule INS du document ne correspond pas à celui du patient du message (un seul patient par message).` });
      } else cdaOid ??= id.root;
    }
  });

  const first = parsed[0]?.header;
  const facility = first?.healthcareFacilityType ?? input.healthcareFacilityTypeCode;
  const practice = first?.practiceSetting ?? input.practiceSettingCode;
  if (parsed.length > 0 && !facility) errors.push({ code: 'XDM_CODE_MISSING', message: "Le type d'établissement (healthcareFacilityTypeCode, secteur d'activité SAxx) n'est ni dans le document CDA ni configuré." });
  if (parsed.length > 0 && !practice) errors.push({ code: 'XDM_CODE_MISSING', message: 'Le cadre d’exercice (practiceSettingCode) n’est ni dans le document CDA ni configuré.' });
  parsed.forEach(({ header }, i) => {
    if (!input.formatCode && !(header.nonXmlBodyMediaType && XDS_SD_FORMAT[header.nonXmlBodyMediaType])) {
      errors.push({ code: 'XDM_CODE_MISSING', document: i + 1, message: `Document ${i + 1} : le format du document (formatCode) ne peut pas être déduit d'un CDA structuré ; configurez-le.` });
    }
  });
  if (errors.length > 0 || !first || !facility || !practice || !check.kind) return { ok: false, errors };

  const oid = input.patient.oid ?? (input.patient.testIns ? INS_OID.test : (cdaOid ?? insOid(check.kind)));
  const patientId = insPatientId(ins, oid);
  const p = first.patient;
  const traits: PatientTraits | undefined =
    input.patient.traits ??
    (p.familyName && p.givenName && p.birthDate && (p.sex === 'M' || p.sex === 'F' || p.sex === 'U')
      ? { familyName: p.familyName, givenName: p.givenName, birthDate: p.birthDate, sex: p.sex }
      : undefined);
  const submissionTime = formatXdsTime(input.now);
  const setEntryId = `urn:uuid:${uuid()}`;

  const files: Zippable = {};
  const docs: XdmDocumentEntry[] = [];
  const summary: Array<{ path: string; size: number; hash: string }> = [];
  parsed.forEach(({ bytes, header }, i) => {
    const uri = `DOC${String(i + 1).padStart(4, '0')}.XML`;
    const hash = sha1Hex(bytes);
    const author: XdsAuthor = {
      ...(header.authorPerson ? { person: header.authorPerson } : {}),
      ...(header.authorInstitution ? { institution: [header.authorInstitution] } : {}),
    };
    docs.push({
      entryId: `urn:uuid:${uuid()}`,
      uniqueId: header.id ? (header.id.extension ? `${header.id.root}^${header.id.extension}` : header.id.root) : uuidOid(uuid()),
      uri,
      mimeType: 'text/xml',
      hash,
      size: bytes.length,
      title: header.title ?? header.code?.display ?? 'Document',
      creationTime: header.effectiveTime ?? submissionTime,
      ...(header.serviceStartTime ? { serviceStartTime: header.serviceStartTime } : {}),
      ...(header.serviceStopTime ? { serviceStopTime: header.serviceStopTime } : {}),
      languageCode: header.languageCode ?? 'fr-FR',
      classCode: input.classCode ?? DEFAULT_CLASS,
      typeCode: header.code as XdsCode,
      formatCode: input.formatCode ?? XDS_SD_FORMAT[header.nonXmlBodyMediaType as string],
      confidentialityCodes: [header.confidentiality ?? CONF_NORMAL],
      healthcareFacilityTypeCode: header.healthcareFacilityType ?? facility,
      practiceSettingCode: header.practiceSetting ?? practice,
      eventCodes: header.eventCodes,
      author,
      ...(header.legalAuthenticator ? { legalAuthenticator: header.legalAuthenticator } : {}),
    });
    files[`${XDM_PATHS.subset}${uri}`] = bytes;
    summary.push({ path: `${XDM_PATHS.subset}${uri}`, size: bytes.length, hash });
  });

  const metadata: XdmMetadata = {
    patientId,
    ...(traits ? { patient: traits } : {}),
    submissionSet: {
      entryId: setEntryId,
      uniqueId: uuidOid(uuid()),
      sourceId: input.sourceId ?? uuidOid(uuid()),
      submissionTime,
      contentTypeCode: input.contentTypeCode,
      author: input.author ?? docs[0].author,
      ...(input.intendedRecipients ? { intendedRecipients: input.intendedRecipients } : {}),
    },
    documents: docs,
  };
  const vendor = input.vendor ?? DEFAULT_VENDOR;
  const enc = new TextEncoder();
  const mtime = input.now;
  const zip = zipSync(
    {
      [XDM_PATHS.index]: [enc.encode(buildIndexHtm(metadata, vendor)), { mtime }],
      [XDM_PATHS.readme]: [enc.encode(buildReadmeTxt(vendor)), { mtime }],
      [XDM_PATHS.metadata]: [enc.encode(buildMetadataXml(metadata)), { mtime }],
      ...Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v as Uint8Array, { mtime }]])),
    },
    { level: 6 },
  );
  const qualified = input.patient.qualified === true && traits !== undefined && oid !== INS_OID.demo;
  return { ok: true, zip, metadata, cdaCodes: docs.map((d) => d.typeCode.code), insQualified: qualified, patientId, documents: summary };
}
