// Runtime: Node (jest). `mss-outlook detect`: in-process through runCli, then the real bin/mss-outlook.js on the
// compiled build (built by the jest globalSetup), with JSON lines on standard input.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli, type CliIo } from '../../src/cli/main';
import { REPO_ROOT } from '../helpers/connector';

async function detect(stdin: string | string[] | undefined, argv: string[] = []) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    ...(stdin !== undefined ? { stdin: Readable.from(Array.isArray(stdin) ? stdin : [stdin]) } : {}),
  };
  const code = await runCli(['detect', ...argv], io);
  return { code, stdout, stderr, lines: stdout.trimEnd() === '' ? [] : stdout.trimEnd().split('\n').map((l) => JSON.parse(l)) };
}

const HEALTH = { id: 'a1', subject: 'CRH Mme Durand', body: 'Compte rendu d’hospitalisation de Mme Durand, née le 12/03/1948.', attachments: ['CRH_Durand.pdf'] };
const CLEAR = { id: 2, subject: 'Réunion', body: 'Réunion de l’équipe soignante mardi à 14h : plannings d’été.' };

describe('mss-outlook detect', () => {
  it('one JSON line per message: id, verdict, score, findings without any text of the message', async () => {
    const r = await detect(`${JSON.stringify(HEALTH)}\n${JSON.stringify(CLEAR)}\n`);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.lines).toHaveLength(2);
    expect(Object.keys(r.lines[0])).toEqual(['id', 'verdict', 'score', 'findings']);
    expect(r.lines[0]).toMatchObject({ id: 'a1', verdict: 'health' });
    expect(r.lines[0].score).toBeGreaterThanOrEqual(10);
    expect(r.lines[0].findings).toEqual(expect.arrayContaining([{ kind: 'document-type', place: 'attachment', attachmentIndex: 0, rule: 'doc.crh', weight: 8 }]));
    expect(r.lines[1]).toEqual({ id: 2, verdict: 'clear', score: expect.any(Number), findings: expect.any(Array) });
    expect(r.stdout).not.toMatch(/Durand|1948|hospitalisation/);
  });

  it('bad lines: a French error with the line number on stderr, the others are processed, exit code 2', async () => {
    const input = [JSON.stringify(HEALTH), '{pas du json', '', '[1,2]', JSON.stringify({ id: 'x', attachments: 'CRH.pdf' }), JSON.stringify(CLEAR)].join('\r\n');
    const r = await detect(input);
    expect(r.code).toBe(2);
    expect(r.lines.map((l) => l.id)).toEqual(['a1', 2]);
    const errors = r.stderr.trimEnd().split('\n');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^mss-outlook detect : ligne 2 ignorée : JSON invalide \(.+\)\. Format attendu : \{"id","subject","body","attachments":\["nom.pdf"\]\}$/);
    expect(errors[1]).toMatch(/^mss-outlook detect : ligne 4 ignorée : un objet JSON est attendu\./);
    expect(errors[2]).toMatch(/^mss-outlook detect : ligne 5 ignorée : « attachments » doit être une liste de noms de fichiers/);
  });

  it('lines split across chunks are read whole; a last line without newline counts', async () => {
    const text = `${JSON.stringify(HEALTH)}\n${JSON.stringify(CLEAR)}`;
    const r = await detect([text.slice(0, 17), text.slice(17, 90), text.slice(90)]);
    expect(r.lines.map((l) => l.verdict)).toEqual(['health', 'clear']);
  });

  it('usage errors: an argument, or no standard input', async () => {
    expect(await detect('', ['fichier.jsonl'])).toMatchObject({ code: 2, stderr: expect.stringContaining('argument inattendu « fichier.jsonl »') });
    expect(await detect(undefined)).toMatchObject({ code: 2, stderr: expect.stringContaining('demande une entrée standard') });
  });

  it('is listed in the general help', async () => {
    let out = '';
    await runCli(['help'], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined }, env: {} });
    expect(out).toMatch(/\n {2}detect +Détecte les données de santé/);
  });

  it('the compiled bin reads real standard input', () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'mss-outlook.js'), 'detect'], {
      input: `${JSON.stringify(CLEAR)}\n${JSON.stringify(HEALTH)}\n`,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).verdict)).toEqual(['clear', 'health']);
  });
});
