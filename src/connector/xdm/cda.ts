// Runtime: Node (connector). Reads the header of a CDA R2 document (HL7 France / CI-SIS) into the values the XDS
// metadata needs (ANS annex "Lien entre l'en-tête CDA et les métadonnées XDS"). Never logs; health data stays in the
// returned value.

import { hl7TimeToXds, type XdsCode } from '../../core';
import { child, children, parseXmlTree, path, type XmlElement } from './xml-tree';

/** HL7 V3 namespace of CDA R2. */
export const CDA_NS = 'urn:hl7-org:v3';

/** An II: `root` and optional `extension`. */
export interface CdaId {
  readonly root: string;
  readonly extension?: string;
}

/** What the connector reads from a CDA header. */
export interface CdaHeader {
  readonly id?: CdaId;
  /** `ClinicalDocument/code` (the value of X-MSS-CODECDA). */
  readonly code?: XdsCode;
  readonly title?: string;
  /** XDS DTM (UTC) of `effectiveTime`. */
  readonly effectiveTime?: string;
  readonly confidentiality?: XdsCode;
  readonly languageCode?: string;
  readonly patient: {
    readonly ids: readonly CdaId[];
    /** Birth name (`family qualifier="BR"`, else the first family). */
    readonly familyName?: string;
    readonly givenName?: string;
    readonly birthDate?: string;
    readonly sex?: string;
  };
  /** XCN of the first author person; XON of its organisation. */
  readonly authorPerson?: string;
  readonly authorInstitution?: string;
  readonly legalAuthenticator?: string;
  readonly serviceStartTime?: string;
  readonly serviceStopTime?: string;
  readonly eventCodes: readonly XdsCode[];
  readonly practiceSetting?: XdsCode;
  readonly healthcareFacilityType?: XdsCode;
  /** `nonXMLBody/text/@mediaType` (CDA level 1), or undefined for a structuredBody. */
  readonly nonXmlBodyMediaType?: string;
}

/** Thrown when the text is not a CDA document (not XML, or another root). */
export class CdaError extends Error {
  override readonly name = 'CdaError';
  constructor(
    readonly code: 'CDA_NOT_XML' | 'CDA_NOT_CLINICAL_DOCUMENT',
    message: string,
  ) {
    super(message);
  }
}

function ii(el: XmlElement | undefined): CdaId | undefined {
  const root = el?.attrs.root;
  if (!root) return undefined;
  return el.attrs.extension ? { root, extension: el.attrs.extension } : { root };
}

function code(el: XmlElement | undefined): XdsCode | undefined {
  const c = el?.attrs.code;
  if (!c) return undefined;
  return { code: c, scheme: el.attrs.codeSystem ?? '', display: el.attrs.displayName ?? c };
}

function text(el: XmlElement | undefined): string | undefined {
  const t = el?.text.replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
}

function time(el: XmlElement | undefined): string | undefined {
  const v = el?.attrs.value;
  return v ? hl7TimeToXds(v) : undefined;
}

/** XCN `id^FAMILY^Given^^^^^^&root&ISO^D^^^IDNPS` (French XCN as in the ANS XDS sample). */
function xcn(entity: XmlElement | undefined): string | undefined {
  const id = ii(child(entity, 'id'));
  if (!id?.extension) return undefined;
  const name = path(entity, 'assignedPerson', 'name');
  const family = text(child(name, 'family')) ?? '';
  const given = text(child(name, 'given')) ?? '';
  const type = id.root === '1.2.250.1.71.4.2.1' ? '^D^^^IDNPS' : '^^^^';
  return `${id.extension}^${family}^${given}^^^^^^&${id.root}&ISO${type}`;
}

/** XON `Name^^^^^&root&ISO^IDNST^^^id`. */
function xon(org: XmlElement | undefined): string | undefined {
  const id = ii(child(org, 'id'));
  const name = text(child(org, 'name'));
  if (!name && !id) return undefined;
  return id?.extension ? `${name ?? ''}^^^^^&${id.root}&ISO^IDNST^^^${id.extension}` : (name ?? '');
}

/** Reads the header of a CDA R2 document; throws {@link CdaError} when it is not one. */
export function readCdaHeader(xml: string): CdaHeader {
  let root: XmlElement;
  try {
    root = parseXmlTree(xml);
  } catch (e) {
    throw new CdaError('CDA_NOT_XML', `Le document CDA n'est pas un XML bien formé : ${(e as Error).message}`);
  }
  if (root.name !== 'ClinicalDocument' || root.ns !== CDA_NS) {
    throw new CdaError('CDA_NOT_CLINICAL_DOCUMENT', "Le fichier n'est pas un document CDA R2 (élément racine ClinicalDocument attendu, espace de noms urn:hl7-org:v3).");
  }
  const patientRole = path(root, 'recordTarget', 'patientRole');
  const patient = child(patientRole, 'patient');
  const pname = child(patient, 'name');
  const families = children(pname, 'family');
  const family = families.find((f) => f.attrs.qualifier === 'BR') ?? families[0];
  const assignedAuthor = path(root, 'author', 'assignedAuthor');
  const serviceEvent = path(root, 'documentationOf', 'serviceEvent');
  const body = path(root, 'component', 'nonXMLBody', 'text');
  const birth = child(patient, 'birthTime')?.attrs.value;
  return {
    id: ii(child(root, 'id')),
    code: code(child(root, 'code')),
    title: text(child(root, 'title')),
    effectiveTime: time(child(root, 'effectiveTime')),
    confidentiality: code(child(root, 'confidentialityCode')),
    languageCode: child(root, 'languageCode')?.attrs.code,
    patient: {
      ids: children(patientRole, 'id').map(ii).filter((x): x is CdaId => x !== undefined),
      familyName: text(family),
      givenName: text(child(pname, 'given')),
      birthDate: birth ? birth.slice(0, 8) : undefined,
      sex: child(patient, 'administrativeGenderCode')?.attrs.code,
    },
    authorPerson: xcn(assignedAuthor),
    authorInstitution: xon(child(assignedAuthor, 'representedOrganization')),
    legalAuthenticator: xcn(path(root, 'legalAuthenticator', 'assignedEntity')),
    serviceStartTime: time(path(serviceEvent, 'effectiveTime', 'low')),
    serviceStopTime: time(path(serviceEvent, 'effectiveTime', 'high')),
    eventCodes: children(serviceEvent, 'code').map(code).filter((c): c is XdsCode => c !== undefined),
    practiceSetting: code(path(serviceEvent, 'performer', 'assignedEntity', 'representedOrganization', 'standardIndustryClassCode')),
    healthcareFacilityType: code(path(root, 'componentOf', 'encompassingEncounter', 'location', 'healthCareFacility', 'code')),
    nonXmlBodyMediaType: body?.attrs.mediaType,
  };
}
