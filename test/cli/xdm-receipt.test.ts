// Runtime: Node (jest). `mss-outlook xdm pack|inspect` and `mss-outlook receipt`, in-process through runCli, on the
// real ANS CDA, the real (non-conformant) Direct Project XDM sample and the real DSN/MDN e-mails of test/fixtures.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIo } from '../../src/cli/main';

const FIX = join(__dirname, '..', 'fixtures');
const INS = '279035121518989'; // the INS of the ANS test CDA (test OID)

async function cli(argv: string[], cwd?: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {}, ...(cwd ? { cwd } : {}) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr, lines: stdout.trimEnd() === '' ? [] : stdout.trimEnd().split('\n').map((l) => JSON.parse(l)) };
}

describe('mss-outlook xdm', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'mss-xdm-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pack then inspect the real ANS CDA: a conformant archive, X-MSS-CODECDA from the CDA code', async () => {
    const packed = await cli(['xdm', 'pack', '--ins', INS, '--qualifiee', '--out', 'IHE_XDM.zip', join(FIX, 'cda', 'CR_Radio_CDAN1_v1.XML')], dir);
    expect(packed.stderr).toBe('');
    expect(packed.code).toBe(0);
    expect(packed.lines[0]).toMatchObject({ patientId: `${INS}^^^&1.2.250.1.213.1.4.10&ISO^NH`, xMssIns: 'O' });
    expect(packed.lines[0].xMssCodeCda).toMatch(/^[A-Z0-9-]+$/);
    expect(readdirSync(dir)).toEqual(['IHE_XDM.zip']);
    const inspected = await cli(['xdm', 'inspect', 'IHE_XDM.zip'], dir);
    expect(inspected.code).toBe(0);
    const report = inspected.lines[0];
    expect(report.problems).toEqual([]);
    expect(report.metadata.patientId).toBe(`${INS}^^^&1.2.250.1.213.1.4.10&ISO^NH`);
    expect(report.documents.map((d: { code?: string }) => d.code)).toEqual([packed.lines[0].xMssCodeCda]);
  });

  it('inspect reports the problems of a non-conformant real package instead of crashing', async () => {
    const r = await cli(['xdm', 'inspect', join(FIX, 'xdm', 'nhind_xd-common_samplexdm.zip')]);
    expect(r.code).toBe(0);
    expect(r.lines[0].problems.length).toBeGreaterThan(0);
    for (const p of r.lines[0].problems) expect(p).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  });

  it('usage errors: unknown sub-command, missing INS, unreadable file (exit 2, French)', async () => {
    expect(await cli(['xdm', 'frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('pack ou inspect') });
    expect(await cli(['xdm', 'pack', join(FIX, 'cda', 'CR_Radio_CDAN1_v1.XML')])).toMatchObject({ code: 2, stderr: expect.stringContaining('--ins') });
    expect(await cli(['xdm', 'inspect', join(FIX, 'nope.zip')])).toMatchObject({ code: 2, stderr: expect.stringContaining('introuvable') });
  });

  it('pack refuses an invalid INS with a clear French error, writing nothing', async () => {
    const r = await cli(['xdm', 'pack', '--ins', '279035121518988', join(FIX, 'cda', 'CR_Radio_CDAN1_v1.XML')], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Erreur [A-Z_]+ : /);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('mss-outlook receipt', () => {
  it('a DSN: type, original Message-ID, recipients with action and status', async () => {
    const r = await cli(['receipt', join(FIX, 'eml', 'mimekit_delivery-status.eml')]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({ type: 'dsn', recipients: expect.arrayContaining([expect.objectContaining({ address: expect.any(String), action: expect.any(String) })]) });
  });
  it('an MDN and a non-receipt, one JSON line each', async () => {
    const r = await cli(['receipt', join(FIX, 'eml', 'nhind_MDNMessage_processed.eml'), join(FIX, 'eml', 'nhind_MessageWithAttachment.eml')]);
    expect(r.code).toBe(0);
    expect(r.lines.map((l: { type: string }) => l.type)).toEqual(['mdn', 'not-a-receipt']);
    expect(r.lines[0].originalMessageId).toEqual(expect.any(String));
  });
  it('no file: usage error', async () => {
    expect(await cli(['receipt'])).toMatchObject({ code: 2 });
  });
});
