// Runtime: Node (CLI). `mss-outlook xdm pack|inspect`: build an IHE_XDM.zip from CDA documents exactly as the
// connector does before sending, or read one (ours or anybody's) and print what it holds and what is wrong with it as
// JSON. Nothing of the documents' content is printed beyond their codes, titles, sizes and hashes.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inspectXdm, packXdm } from '../../connector/xdm';
import { HELP_OPTION, type CliCommand } from '../command';
import { EXIT, UsageError } from '../io';

const USAGE_PACK = 'xdm pack --ins <matricule INS> [--qualifiee] [--ins-test] [--out IHE_XDM.zip] <cda.xml...>';
const USAGE_INSPECT = 'xdm inspect <IHE_XDM.zip>';

/** `mss-outlook xdm` (sub-commands `pack` and `inspect`). */
export const xdmCommand: CliCommand = {
  name: 'xdm',
  summary: 'Construit (pack) ou examine (inspect) une archive IHE_XDM.zip (documents CDA).',
  usage: `${USAGE_PACK}\n  mss-outlook ${USAGE_INSPECT}`,
  description:
    'pack : emballe un ou plusieurs documents CDA dans IHE_XDM.zip (METADATA.XML, INDEX.HTM, README.TXT) et affiche en JSON '
    + 'le patientId, les codes X-MSS-CODECDA et les empreintes. inspect : affiche en JSON les documents, les métadonnées '
    + '(patientId…) et les problèmes trouvés ; une archive non conforme est décrite, jamais refusée sans explication.',
  options: [
    HELP_OPTION,
    { name: 'ins', value: true, valueName: '<matricule>', description: 'Matricule INS du patient (15 caractères), pour pack.' },
    { name: 'qualifiee', value: false, description: 'L\'identité INS est qualifiée (X-MSS-INS: O), pour pack.' },
    { name: 'ins-test', value: false, description: 'Identité de test : OID 1.2.250.1.213.1.4.10, pour pack.' },
    { name: 'out', value: true, valueName: '<fichier>', description: 'Archive à écrire (défaut : IHE_XDM.zip), pour pack.' },
  ],
  async run(args, io) {
    const [sub, ...files] = args.positionals;
    const cwd = io.cwd ?? process.cwd();
    if (sub === 'inspect') {
      if (files.length !== 1) throw new UsageError(`Usage : mss-outlook ${USAGE_INSPECT}`, 'xdm');
      const bytes = await readInput(resolve(cwd, files[0]));
      io.stdout.write(`${JSON.stringify(inspectXdm(bytes))}\n`);
      return EXIT.OK;
    }
    if (sub === 'pack') {
      const ins = args.options.ins;
      if (typeof ins !== 'string' || files.length === 0) throw new UsageError(`Usage : mss-outlook ${USAGE_PACK}`, 'xdm');
      const cda = await Promise.all(files.map(async (f) => ({ fileName: f.split(/[\\/]/).pop(), xml: await readInput(resolve(cwd, f)) })));
      const packed = packXdm({
        cda,
        patient: { ins, qualified: args.options.qualifiee === true, testIns: args.options['ins-test'] === true },
        now: new Date(),
      });
      if (!packed.ok) {
        for (const e of packed.errors) io.stderr.write(`Erreur ${e.code} : ${e.message}\n`);
        return EXIT.USAGE;
      }
      const out = resolve(cwd, typeof args.options.out === 'string' ? args.options.out : 'IHE_XDM.zip');
      await writeFile(out, packed.zip);
      io.stdout.write(`${JSON.stringify({
        out, patientId: packed.patientId, xMssCodeCda: packed.cdaCodes.join(','), xMssIns: packed.insQualified ? 'O' : 'N',
        documents: packed.documents,
      })}\n`);
      return EXIT.OK;
    }
    throw new UsageError(`Sous-commande attendue : pack ou inspect (reçu « ${sub ?? ''} »).`, 'xdm');
  },
};

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    throw new UsageError(`Fichier introuvable ou illisible : « ${path} ».`, 'xdm');
  }
}
