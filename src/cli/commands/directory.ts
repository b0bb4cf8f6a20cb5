// Runtime: Node (CLI). `mss-outlook directory import|lookup|search`: imports an extraction (file, zip or URL) into
// the persisted index the connector starts from, with a progress bar on stderr and a French summary; looks
// addresses up (one JSON line each); searches by name, id, structure or service (JSON lines).

import { join } from 'node:path';
import { LINE_PROBLEM_FR, type LineProblem } from '../../core';
import { loadDirectory } from '../../connector/resources';
import { DirectoryLoadError, type LoadProgress } from '../../connector/directory/load-extraction';
import { downloadExtraction, loadFile, safeUrl } from '../../connector/directory/service';
import { rmSync } from 'node:fs';
import { CONFIG_OPTIONS, HELP_OPTION, loadCliConfig, type CliCommand } from '../command';
import { EXIT, UsageError, type CliIo, type TextSink } from '../io';

/** A progress bar on stderr: redrawn in place on a terminal, one line per 10 % otherwise. */
export function progressPrinter(stderr: TextSink, tty: boolean): (p: LoadProgress) => void {
  let lastTenth = -1;
  return (p) => {
    const what = p.phase === 'download' ? 'Téléchargement' : 'Lecture';
    const mb = (p.bytes / 1e6).toFixed(1);
    if (p.total) {
      const ratio = Math.min(1, p.bytes / p.total);
      const width = 30;
      const full = Math.round(ratio * width);
      const line = `${what} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${Math.round(ratio * 100)} % ${mb} Mo${p.lines !== undefined ? `, ${p.lines.toLocaleString('fr-FR')} lignes` : ''}`;
      if (tty) stderr.write(`\r${line}${ratio === 1 ? '\n' : ''}`);
      else {
        const tenth = Math.floor(ratio * 10);
        if (tenth !== lastTenth) {
          lastTenth = tenth;
          stderr.write(`${line}\n`);
        }
      }
    } else if (tty) {
      stderr.write(`\r${what} : ${mb} Mo`);
    }
  };
}

async function runImport(source: string, io: CliIo, args: Parameters<CliCommand['run']>[0]): Promise<number> {
  const config = loadCliConfig(args, io);
  const snapshotDir = config.directory.snapshotDir ?? join(config.dataDir, 'directory');
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const onProgress = progressPrinter(io.stderr, tty);
  const now = () => new Date();
  let path = source;
  let downloaded: string | undefined;
  try {
    if (/^https?:\/\//i.test(source)) {
      const sha = typeof args.options.sha256 === 'string' ? args.options.sha256.toLowerCase() : config.directory.sha256;
      const dl = await downloadExtraction(source, snapshotDir, { ...(sha ? { sha256: sha } : {}), onProgress });
      downloaded = dl.path;
      path = dl.path;
      io.stderr.write(`Téléchargé : ${safeUrl(source)} (${dl.size.toLocaleString('fr-FR')} octets, SHA-256 ${dl.sha256}).\n`);
    }
    const { report } = await loadFile(path, 'import', snapshotDir, { now, onProgress });
    const problems = (Object.entries(report.malformedByProblem) as [LineProblem, number][]).filter(([, n]) => n > 0);
    io.stdout.write(
      [
        `Annuaire importé : ${report.mailboxes.toLocaleString('fr-FR')} boîtes aux lettres (${report.lines.toLocaleString('fr-FR')} lignes lues en ${(report.durationMs / 1000).toFixed(1)} s).`,
        `Par type : ${Object.entries(report.byType).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n.toLocaleString('fr-FR')}`).join(', ') || 'aucune'}.`,
        `Adresses en double : ${report.duplicates} (première ligne gardée).`,
        `Lignes mal formées ignorées : ${report.malformed}${problems.length ? ` (${problems.map(([p, n]) => `${LINE_PROBLEM_FR[p]} : ${n}`).join(', ')})` : ''}.`,
        ...(report.malformedSample.length
          ? [`Premières lignes ignorées : ${report.malformedSample.slice(0, 10).map((m) => `${m.line} (${LINE_PROBLEM_FR[m.problem]})`).join(', ')}.`]
          : []),
        `Index enregistré : ${join(snapshotDir, 'annuaire.snapshot')} (le connecteur démarrera dessus si aucune autre source n'est configurée).`,
        '',
      ].join('\n'),
    );
    return EXIT.OK;
  } catch (e) {
    if (e instanceof DirectoryLoadError) {
      io.stderr.write(`\nImport refusé : ${e.message} L'index précédent est conservé.\n`);
      return EXIT.CONFIG;
    }
    throw e;
  } finally {
    if (downloaded) rmSync(downloaded, { force: true });
  }
}

export const directoryCommand: CliCommand = {
  name: 'directory',
  summary: 'Annuaire MSSanté : import de l\'extraction nationale, recherche d\'adresses et de noms.',
  usage: 'directory import <fichier|zip|url> | directory lookup <adresse...> | directory search <texte>',
  description: [
    'directory import <fichier|zip|url>   importe Extraction_Correspondance_MSSante (barre de progression sur la sortie d\'erreur, bilan à la fin).',
    'directory lookup <adresse...>         une ligne JSON par adresse : {"address","found","type","name","profession","structure",...}.',
    'directory search <texte>              lignes JSON des boîtes trouvées (nom, prénom, RPPS/ADELI, FINESS/SIRET, raison sociale, service).',
    'Exemple : mss-outlook directory search "dupont j"',
  ].join('\n'),
  options: [
    ...CONFIG_OPTIONS,
    { name: 'sha256', value: true, valueName: '<empreinte>', description: 'import depuis une URL : empreinte SHA-256 attendue du fichier.' },
    { name: 'page', value: true, valueName: '<n>', description: 'search : page de résultats (défaut 1).' },
    { name: 'page-size', value: true, valueName: '<n>', description: 'search : résultats par page (défaut 20, 100 au plus).' },
    HELP_OPTION,
  ],

  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    switch (sub) {
      case 'import': {
        if (rest.length !== 1) throw new UsageError('directory import attend un seul fichier, zip ou URL.', 'directory');
        return runImport(rest[0], io, args);
      }
      case 'lookup': {
        if (rest.length === 0) throw new UsageError('directory lookup attend au moins une adresse.', 'directory');
        const config = loadCliConfig(args, io);
        const { directory } = await loadDirectory(config);
        for (const a of await directory.lookupMany(rest)) {
          const { record, ...head } = a;
          io.stdout.write(`${JSON.stringify({ ...head, ...(record ? { record } : {}) })}\n`);
        }
        return EXIT.OK;
      }
      case 'search': {
        if (rest.length === 0) throw new UsageError('directory search attend un texte à chercher.', 'directory');
        const q = rest.join(' ');
        if (q.trim().length < 2) throw new UsageError('Recherche trop courte : au moins 2 caractères.', 'directory');
        const page = Number(args.options.page ?? 1);
        const pageSize = Number(args.options['page-size'] ?? 20);
        if (!Number.isInteger(page) || page < 1) throw new UsageError('--page doit être un entier ≥ 1.', 'directory');
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw new UsageError('--page-size doit être un entier entre 1 et 100.', 'directory');
        const config = loadCliConfig(args, io);
        const { directory } = await loadDirectory(config);
        const r = directory.search(q, { page, pageSize });
        for (const rec of r.results) io.stdout.write(`${JSON.stringify(rec)}\n`);
        io.stderr.write(`${r.total.toLocaleString('fr-FR')}${r.totalIsExact ? '' : '+'} résultat(s), page ${r.page}.\n`);
        return EXIT.OK;
      }
      default:
        throw new UsageError(sub === undefined ? 'directory attend une sous-commande : import, lookup ou search.' : `Sous-commande inconnue : « ${sub} » (import, lookup ou search).`, 'directory');
    }
  },
};
