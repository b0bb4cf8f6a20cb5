// Runtime: Node (jest). packXdm on the real ANS CDA (CR_Radio_CDAN1_v1.XML), read back by inspectXdm and by a plain
// unzip; inspectXdm on the real, non-conformant Direct Project sample and on broken inputs (reports, never throws).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { unzipSync, zipSync, strToU8 } from 'fflate';
import { SaxesParser } from 'saxes';
import { inspectXdm, packXdm, type PackedXdm } from '../../../src/connector/xdm';

const FIX = join(__dirname, '..', '..', 'fixtures');
const CDA = readFileSync(join(FIX, 'cda', 'CR_Radio_CDAN1_v1.XML'));
const INS = '279035121518989';
const NOW = new Date('2026-03-01T10:20:30Z');
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function wellFormed(xml: string): void {
  const p = new SaxesParser({ xmlns: true });
  p.on('error', (e) => {
    throw e;
  });
  p.write(xml).close();
}

function packed(over: Partial<Parameters<typeof packXdm>[0]> = {}): PackedXdm {
  const r = packXdm({ cda: [{ fileName: 'cr.xml', xml: CDA }], patient: { ins: INS }, now: NOW, uuid, ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe('packXdm', () => {
  it('builds the IHE_XDM.zip layout with METADATA.XML, DOC0001.XML (byte-identical), INDEX.HTM, README.TXT', () => {
    const r = packed();
    const files = unzipSync(r.zip);
    expect(Object.keys(files).sort()).toEqual(['IHE_XDM/SUBSET01/DOC0001.XML', 'IHE_XDM/SUBSET01/METADATA.XML', 'INDEX.HTM', 'README.TXT']);
    expect(Buffer.from(files['IHE_XDM/SUBSET01/DOC0001.XML']).equals(CDA)).toBe(true);
    const meta = new TextDecoder().decode(files['IHE_XDM/SUBSET01/METADATA.XML']);
    wellFormed(meta);
    wellFormed(new TextDecoder().decode(files['INDEX.HTM']).replace('<!DOCTYPE html>\n', ''));
    const sha1 = createHash('sha1').update(CDA).digest('hex');
    expect(meta).toContain(`<rim:Value>${sha1}</rim:Value>`);
    expect(meta).toContain(`<rim:Value>${CDA.length}</rim:Value>`);
    expect(meta).toContain('<rim:Value>DOC0001.XML</rim:Value>');
    // the CDA carries the INS with the ANS test OID: the patientId keeps it
    expect(r.patientId).toBe(`${INS}^^^&1.2.250.1.213.1.4.10&ISO^NH`);
    expect(meta).toContain(`value="${INS}^^^&amp;1.2.250.1.213.1.4.10&amp;ISO^NH"`);
    expect(meta).toContain('nodeRepresentation="18748-4"'); // typeCode = CDA code (LOINC)
    expect(meta).toContain('nodeRepresentation="SA07"'); // healthCareFacility
    expect(meta).toContain('nodeRepresentation="ETABLISSEMENT"'); // practiceSetting
    expect(meta).toContain('nodeRepresentation="urn:ihe:iti:xds-sd:pdf:2008"'); // level 1 PDF body
    expect(meta).toContain('<rim:Value>801234564895^Eric^Thomas^^^^^^&amp;1.2.250.1.71.4.2.1&amp;ISO^D^^^IDNPS</rim:Value>');
    expect(meta).toContain('<rim:Value>20230227082827</rim:Value>'); // serviceStartTime +0200 → UTC
    expect(meta).toContain('<rim:Value>20050411103328</rim:Value>'); // creationTime without time zone kept
    expect(meta).toContain('<rim:Value>PID-5|PAT-TROIS^DOMINIQUE^^^^^L</rim:Value>');
    expect(meta).toContain("value=\"CR d'imagerie médicale\"".replace("'", '&apos;'));
    expect(r.cdaCodes).toEqual(['18748-4']);
    expect(r.insQualified).toBe(false);
    expect(r.documents).toEqual([{ path: 'IHE_XDM/SUBSET01/DOC0001.XML', size: CDA.length, hash: sha1 }]);
  });

  it('several CDA: DOC0001.XML, DOC0002.XML, codes in order; qualified INS gives insQualified', () => {
    const r = packed({ cda: [{ xml: CDA }, { xml: CDA.toString('utf8').replace('code="18748-4"', 'code="11488-4"') }], patient: { ins: INS, qualified: true } });
    expect(r.cdaCodes).toEqual(['18748-4', '11488-4']);
    expect(r.insQualified).toBe(true);
    expect(Object.keys(unzipSync(r.zip))).toEqual(expect.arrayContaining(['IHE_XDM/SUBSET01/DOC0002.XML']));
    expect(inspectXdm(r.zip).documents.map((d) => d.code)).toEqual(['18748-4', '11488-4']);
  });

  it('OID by INS kind, or the test OID on request', () => {
    const other = CDA.toString('utf8').replace('root="1.2.250.1.213.1.4.10"', 'root="1.2.3"');
    expect(packed({ cda: [{ xml: other }] }).patientId).toBe(`${INS}^^^&1.2.250.1.213.1.4.8&ISO^NH`);
    expect(packed({ cda: [{ xml: other }], patient: { ins: INS, testIns: true } }).patientId).toBe(`${INS}^^^&1.2.250.1.213.1.4.10&ISO^NH`);
  });

  it('escapes XML in every generated text', () => {
    const xml = CDA.toString('utf8').replace('<title>Pelvis Masculin</title>', '<title>A &amp; B &lt;c&gt; "d"</title>');
    const files = unzipSync(packed({ cda: [{ xml }], vendor: { vendor: 'X & <Y>', product: 'P"', version: '1' } }).zip);
    const meta = new TextDecoder().decode(files['IHE_XDM/SUBSET01/METADATA.XML']);
    wellFormed(meta);
    expect(meta).toContain('value="A &amp; B &lt;c&gt; &quot;d&quot;"');
    expect(new TextDecoder().decode(files['INDEX.HTM'])).toContain('X &amp; &lt;Y&gt;');
  });

  it('errors as values: bad INS, other patient, not a CDA, no document', () => {
    const bad = packXdm({ cda: [{ xml: CDA }], patient: { ins: '279035121518988' }, now: NOW });
    expect(!bad.ok && bad.errors.map((e) => e.code)).toContain('XDM_INS_INVALID');
    const other = packXdm({ cda: [{ xml: CDA }], patient: { ins: '180012B01234553' }, now: NOW });
    expect(other.ok).toBe(false);
    expect(!other.ok && other.errors.map((e) => e.code)).toContain('XDM_INS_MISMATCH');
    const notCda = packXdm({ cda: [{ xml: '<html/>' }, { xml: '<a>' }], patient: { ins: INS }, now: NOW });
    expect(!notCda.ok && notCda.errors.map((e) => [e.code, e.document])).toEqual([['XDM_CDA_NOT_CLINICAL_DOCUMENT', 1], ['XDM_CDA_NOT_XML', 2]]);
    expect(packXdm({ cda: [], patient: { ins: INS }, now: NOW })).toMatchObject({ ok: false, errors: [{ code: 'XDM_NO_DOCUMENT' }] });
    expect(JSON.stringify(other)).not.toContain('PAT-TROIS');
  });
});

describe('inspectXdm', () => {
  it('reads back a package made by packXdm without problems', () => {
    const r = inspectXdm(packed().zip);
    expect(r.problems).toEqual([]);
    expect(r.metadata).toMatchObject({ path: 'IHE_XDM/SUBSET01/METADATA.XML', patientId: `${INS}^^^&1.2.250.1.213.1.4.10&ISO^NH`, patientIdKind: 'ins-test', submissionTime: '20260301102030', documentCount: 1 });
    expect(r.documents).toEqual([{ path: 'IHE_XDM/SUBSET01/DOC0001.XML', mediaType: 'text/xml', size: CDA.length, hash: expect.stringMatching(/^[0-9a-f]{40}$/), hashOk: true, code: '18748-4', title: 'Pelvis Masculin' }]);
  });

  it('the real Direct Project sample: extra folder, lower-case names, no URI, not an INS, an unreferenced XSL — reported', () => {
    const r = inspectXdm(readFileSync(join(FIX, 'xdm', 'nhind_xd-common_samplexdm.zip')));
    const codes = r.problems.map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['XDM_LAYOUT_EXTRA_FOLDER', 'XDM_NAME_CASE', 'XDM_URI_MISSING', 'XDM_PATIENT_ID_NOT_INS', 'XDM_FILE_UNREFERENCED']));
    expect(r.metadata.path).toBe('samplexdm/IHE_XDM/SUBSET01/METADATA.xml');
    expect(r.documents).toHaveLength(1);
    expect(r.documents[0]).toMatchObject({ path: 'samplexdm/IHE_XDM/SUBSET01/Document01.xml', mediaType: 'text/xml', size: 68226 });
    expect(typeof r.documents[0].hashOk).toBe('boolean');
    for (const p of r.problems) expect(p.message).toMatch(/[a-zé]/);
  });

  it('broken inputs: not a zip, no metadata, bad XML, tampered document', () => {
    expect(inspectXdm(strToU8('pas une archive')).problems.map((p) => p.code)).toEqual(['XDM_ZIP_INVALID']);
    expect(inspectXdm(zipSync({ 'a.txt': strToU8('x') })).problems.map((p) => p.code)).toEqual(['XDM_METADATA_MISSING']);
    const badXml = inspectXdm(zipSync({ 'IHE_XDM/SUBSET01/METADATA.XML': strToU8('<a><b></a>'), 'INDEX.HTM': strToU8(''), 'README.TXT': strToU8('') }));
    expect(badXml.problems.map((p) => p.code)).toEqual(['XDM_METADATA_INVALID']);
    const files = unzipSync(packed().zip);
    files['IHE_XDM/SUBSET01/DOC0001.XML'] = strToU8('<ClinicalDocument xmlns="urn:hl7-org:v3"/>');
    const tampered = inspectXdm(zipSync(files));
    expect(tampered.documents[0].hashOk).toBe(false);
    expect(tampered.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['XDM_HASH_MISMATCH', 'XDM_SIZE_MISMATCH']));
  });
});
