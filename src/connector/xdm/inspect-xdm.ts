// Runtime: Node (connector). Reads an IHE_XDM.zip as received (IHE ITI-32; MSSANTE.md §2) and reports what it holds:
// documents with their recomputed size and SHA-1, the metadata (patientId…), and the problems found. Real archives are
// not all conformant (e.g. the Direct Project sample nests everything under an extra folder): every deviation becomes a
// problem with a code; nothing here throws on bad input.

import { unzipSync } from 'fflate';
import { INS_OID, parsePatientId, XDS_UUID } from '../../core';
import { readCdaHeader } from './cda';
import { sha1Hex } from './pack-xdm';
import { child, children, descendants, parseXmlTree, type XmlElement } from './xml-tree';

/** Problem codes of {@link inspectXdm}. */
export const XDM_PROBLEM_CODES = [
  'XDM_ZIP_INVALID',
  'XDM_TOO_LARGE',
  'XDM_METADATA_MISSING',
  'XDM_METADATA_INVALID',
  'XDM_LAYOUT_EXTRA_FOLDER',
  'XDM_NAME_CASE',
  'XDM_INDEX_MISSING',
  'XDM_README_MISSING',
  'XDM_NO_DOCUMENT',
  'XDM_URI_MISSING',
  'XDM_FILE_MISSING',
  'XDM_FILE_UNREFERENCED',
  'XDM_HASH_MISMATCH',
  'XDM_HASH_MISSING',
  'XDM_SIZE_MISMATCH',
  'XDM_PATIENT_ID_MISSING',
  'XDM_PATIENT_ID_NOT_INS',
  'XDM_PATIENT_ID_DIFFERS',
  'XDM_CDA_INVALID',
  'XDM_CDA_CODE_DIFFERS',
] as const;
/** One of {@link XDM_PROBLEM_CODES}. */
export type XdmProblemCode = (typeof XDM_PROBLEM_CODES)[number];

/** A problem: code for programs, French for users; `path` inside the archive when it helps. */
export interface XdmProblem {
  readonly code: XdmProblemCode;
  readonly message: string;
  readonly path?: string;
}

/** One document of the archive. */
export interface XdmDocumentReport {
  /** Path inside the zip, as found (undefined when the file is missing). */
  readonly path?: string;
  readonly mediaType?: string;
  /** Recomputed size in bytes. */
  readonly size?: number;
  /** Recomputed SHA-1 (lower-case hex). */
  readonly hash?: string;
  /** True when the metadata hash matches; undefined when there is nothing to compare. */
  readonly hashOk?: boolean;
  /** CDA `ClinicalDocument/code/@code`, else the metadata typeCode. */
  readonly code?: string;
  readonly title?: string;
}

/** The archive's metadata, as far as it could be read. */
export interface XdmMetadataReport {
  readonly path?: string;
  readonly patientId?: string;
  /** Kind of patientId: `ins-nir`, `ins-nia`, `ins-test`, `ins-demo`, `other`. */
  readonly patientIdKind?: 'ins-nir' | 'ins-nia' | 'ins-test' | 'ins-demo' | 'other';
  readonly submissionTime?: string;
  readonly sourceId?: string;
  readonly uniqueId?: string;
  readonly documentCount: number;
}

/** What {@link inspectXdm} returns. */
export interface XdmInspection {
  readonly documents: readonly XdmDocumentReport[];
  readonly metadata: XdmMetadataReport;
  readonly problems: readonly XdmProblem[];
}

/** Options of {@link inspectXdm}. */
export interface InspectXdmOptions {
  /** Largest accepted entry (bytes, uncompressed). Default 50 MB. */
  readonly maxEntryBytes?: number;
  /** Largest accepted total (bytes, uncompressed). Default 200 MB. */
  readonly maxTotalBytes?: number;
}

const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';

function slotValues(el: XmlElement, name: string): string[] {
  const s = children(el, 'Slot', RIM).find((x) => x.attrs.name === name);
  return children(child(s, 'ValueList', RIM), 'Value', RIM).map((v) => v.text.trim());
}

function localizedName(el: XmlElement): string | undefined {
  return child(child(el, 'Name', RIM), 'LocalizedString', RIM)?.attrs.value || undefined;
}

function externalId(el: XmlElement, scheme: string): string | undefined {
  return children(el, 'ExternalIdentifier', RIM).find((x) => x.attrs.identificationScheme === scheme)?.attrs.value;
}

function patientIdKind(cx: string): XdmMetadataReport['patientIdKind'] {
  const p = parsePatientId(cx);
  switch (p?.oid) {
    case INS_OID.nir:
      return 'ins-nir';
    case INS_OID.nia:
      return 'ins-nia';
    case INS_OID.test:
      return 'ins-test';
    case INS_OID.demo:
      return 'ins-demo';
    default:
      return 'other';
  }
}

/** Inspects IHE_XDM.zip bytes. Never throws on bad input. */
export function inspectXdm(zip: Uint8Array, options: InspectXdmOptions = {}): XdmInspection {
  const maxEntry = options.maxEntryBytes ?? 50 * 1024 * 1024;
  const maxTotal = options.maxTotalBytes ?? 200 * 1024 * 1024;
  const problems: XdmProblem[] = [];
  const empty: XdmInspection = { documents: [], metadata: { documentCount: 0 }, problems };
  let entries: Record<string, Uint8Array>;
  let total = 0;
  let tooLarge = false;
  try {
    entries = unzipSync(zip, {
      filter: (f) => {
        total += f.originalSize;
        if (f.originalSize > maxEntry || total > maxTotal) tooLarge = true;
        return !tooLarge;
      },
    });
  } catch {
    problems.push({ code: 'XDM_ZIP_INVALID', message: "Le fichier n'est pas une archive ZIP lisible : demandez à l'expéditeur de renvoyer l'archive IHE_XDM.zip." });
    return empty;
  }
  if (tooLarge) {
    problems.push({ code: 'XDM_TOO_LARGE', message: "L'archive décompressée dépasse la taille acceptée : elle n'a pas été lue entièrement." });
  }
  const names = Object.keys(entries).filter((n) => !n.endsWith('/'));
  const metaNames = names.filter((n) => /(^|\/)IHE_XDM\/[^/]+\/METADATA\.XML$/i.test(n));
  if (metaNames.length === 0) {
    problems.push({ code: 'XDM_METADATA_MISSING', message: "L'archive ne contient pas de fichier IHE_XDM/SUBSET01/METADATA.XML : ce n'est pas une archive IHE XDM conforme." });
    return empty;
  }
  const metaPath = metaNames[0];
  const base = metaPath.slice(0, metaPath.search(/IHE_XDM\//i));
  const subsetDir = metaPath.slice(0, metaPath.lastIndexOf('/') + 1);
  if (base !== '') {
    problems.push({ code: 'XDM_LAYOUT_EXTRA_FOLDER', path: base, message: `Le contenu de l'archive est rangé dans un dossier supplémentaire (« ${base} ») au lieu d'être à la racine (IHE ITI-32).` });
  }
  if (!metaPath.slice(base.length).startsWith('IHE_XDM/') || !metaPath.endsWith('/METADATA.XML')) {
    problems.push({ code: 'XDM_NAME_CASE', path: metaPath, message: 'Les noms de fichiers et dossiers IHE XDM doivent être en majuscules (IHE_XDM/SUBSET01/METADATA.XML).' });
  }
  const findCi = (p: string) => names.find((n) => n.toLowerCase() === p.toLowerCase());
  for (const [file, code] of [['INDEX.HTM', 'XDM_INDEX_MISSING'], ['README.TXT', 'XDM_README_MISSING']] as const) {
    const found = findCi(`${base}${file}`);
    if (!found) problems.push({ code, message: `Le fichier ${file} est absent de la racine de l'archive.` });
    else if (found !== `${base}${file}`) problems.push({ code: 'XDM_NAME_CASE', path: found, message: `Le fichier ${file} doit être nommé en majuscules.` });
  }

  let root: XmlElement;
  try {
    root = parseXmlTree(new TextDecoder('utf-8').decode(entries[metaPath]));
  } catch (e) {
    problems.push({ code: 'XDM_METADATA_INVALID', path: metaPath, message: `METADATA.XML n'est pas lisible : ${(e as Error).message}` });
    return { documents: [], metadata: { path: metaPath, documentCount: 0 }, problems };
  }
  const pkg = descendants(root, 'RegistryPackage').find((e) => e.ns === RIM);
  const extrinsic = descendants(root, 'ExtrinsicObject').filter((e) => e.ns === RIM);
  const setPatientId = pkg ? externalId(pkg, XDS_UUID.setPatientId) : undefined;
  const docPatientIds = extrinsic.map((e) => externalId(e, XDS_UUID.docPatientId));
  const patientId = setPatientId ?? docPatientIds.find((x) => x !== undefined);
  if (!patientId) problems.push({ code: 'XDM_PATIENT_ID_MISSING', path: metaPath, message: "Les métadonnées ne donnent pas l'identifiant du patient (patientId) : le destinataire ne pourra pas rattacher les documents." });
  else {
    const kind = patientIdKind(patientId);
    if (kind === 'other') problems.push({ code: 'XDM_PATIENT_ID_NOT_INS', path: metaPath, message: "L'identifiant du patient (patientId) n'est pas un matricule INS (OID 1.2.250.1.213.1.4.8 ou 4.9) : le destinataire ne pourra pas rattacher les documents au bon patient (ECO.2.1.2)." });
    if (docPatientIds.some((d) => d !== undefined && d !== patientId)) problems.push({ code: 'XDM_PATIENT_ID_DIFFERS', path: metaPath, message: "Les documents de l'archive ne portent pas tous le même identifiant patient (un seul patient par message)." });
  }
  if (extrinsic.length === 0) problems.push({ code: 'XDM_NO_DOCUMENT', path: metaPath, message: "Les métadonnées ne décrivent aucun document." });

  const referenced = new Set<string>([metaPath]);
  const documents: XdmDocumentReport[] = extrinsic.map((eo) => {
    const id = eo.attrs.id ?? '';
    const uri = slotValues(eo, 'URI')[0];
    const declaredHash = slotValues(eo, 'hash')[0];
    const declaredSize = slotValues(eo, 'size')[0];
    const typeCode = children(eo, 'Classification', RIM).find((c) => c.attrs.classificationScheme === XDS_UUID.docTypeCode)?.attrs.nodeRepresentation;
    let path = uri ? names.find((n) => n === `${subsetDir}${uri}`) ?? findCi(`${subsetDir}${uri}`) : undefined;
    if (!uri) {
      path = names.find((n) => n.startsWith(subsetDir) && n.slice(subsetDir.length).replace(/\.[^.]*$/, '').toLowerCase() === id.toLowerCase());
      problems.push({ code: 'XDM_URI_MISSING', ...(path ? { path } : {}), message: `Le document « ${id} » n'a pas d'emplacement (slot URI) dans les métadonnées${path ? ' : fichier retrouvé par son identifiant' : ''}.` });
    }
    if (!path) {
      problems.push({ code: 'XDM_FILE_MISSING', message: `Le fichier du document « ${id} » est absent de l'archive.` });
      return { mediaType: eo.attrs.mimeType, ...(typeCode ? { code: typeCode } : {}), title: localizedName(eo) };
    }
    referenced.add(path);
    const bytes = entries[path];
    const hash = sha1Hex(bytes);
    let hashOk: boolean | undefined;
    if (declaredHash) {
      hashOk = declaredHash.toLowerCase() === hash;
      if (!hashOk) problems.push({ code: 'XDM_HASH_MISMATCH', path, message: "L'empreinte SHA-1 du document ne correspond pas aux métadonnées : le fichier a pu être modifié ou abîmé." });
    } else problems.push({ code: 'XDM_HASH_MISSING', path, message: "Les métadonnées ne donnent pas l'empreinte (hash) du document." });
    if (declaredSize !== undefined && Number(declaredSize) !== bytes.length) {
      problems.push({ code: 'XDM_SIZE_MISMATCH', path, message: 'La taille du document ne correspond pas aux métadonnées.' });
    }
    let code = typeCode;
    let title = localizedName(eo);
    const mediaType = eo.attrs.mimeType;
    if (mediaType === 'text/xml' || /\.xml$/i.test(path)) {
      try {
        const h = readCdaHeader(new TextDecoder('utf-8').decode(bytes));
        if (h.code && typeCode && h.code.code !== typeCode) problems.push({ code: 'XDM_CDA_CODE_DIFFERS', path, message: 'Le code du document CDA ne correspond pas au typeCode des métadonnées.' });
        code = h.code?.code ?? code;
        title = title ?? h.title;
      } catch (e) {
        problems.push({ code: 'XDM_CDA_INVALID', path, message: `Le document n'est pas un CDA R2 lisible : ${(e as Error).message}` });
      }
    }
    return { path, ...(mediaType ? { mediaType } : {}), size: bytes.length, hash, ...(hashOk !== undefined ? { hashOk } : {}), ...(code ? { code } : {}), ...(title ? { title } : {}) };
  });
  for (const n of names) {
    if (n.startsWith(subsetDir) && !referenced.has(n)) problems.push({ code: 'XDM_FILE_UNREFERENCED', path: n, message: "Un fichier du dossier IHE_XDM n'est décrit par aucune métadonnée." });
  }
  const submissionTime = pkg ? slotValues(pkg, 'submissionTime')[0] : undefined;
  const sourceId = pkg ? externalId(pkg, XDS_UUID.setSourceId) : undefined;
  const uniqueId = pkg ? externalId(pkg, XDS_UUID.setUniqueId) : undefined;
  return {
    documents,
    metadata: {
      path: metaPath,
      ...(patientId ? { patientId, patientIdKind: patientIdKind(patientId) } : {}),
      ...(submissionTime ? { submissionTime } : {}),
      ...(sourceId ? { sourceId } : {}),
      ...(uniqueId ? { uniqueId } : {}),
      documentCount: extrinsic.length,
    },
    problems,
  };
}
