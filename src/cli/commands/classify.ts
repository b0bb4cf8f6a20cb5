// Runtime: Node (CLI). `mss-outlook classify <adresse...>`: the same classification as the connector's
// POST /api/recipients/classify (same configuration, trust space and directory), one JSON line per address.

import { createClassifier } from '../../core';
import type { Classification } from '../../core';
import { loadDirectory, loadTrustSpace } from '../../connector/resources';
import { CONFIG_OPTIONS, HELP_OPTION, loadCliConfig, type CliCommand } from '../command';
import { EXIT, readAll, UsageError } from '../io';

/** The JSON line printed for one address: `address` (normalised, or the input when invalid), kind, reason, then the rest. */
export function classificationLine(c: Classification): string {
  const { address, kind, reason, ...rest } = c;
  return JSON.stringify({ address: address ?? c.input, kind, reason, ...rest });
}

export const classifyCommand: CliCommand = {
  name: 'classify',
  summary: 'Classe des adresses (MSSanté, patient, passerelle, interne, externe, invalide) : une ligne JSON par adresse.',
  usage: 'classify [options] <adresse...>',
  description: [
    'Chaque adresse donne une ligne JSON : {"address","kind","reason",...}.',
    '« - » à la place d\'une adresse lit une adresse par ligne sur l\'entrée standard (lignes vides ignorées).',
    'Exemple : mss-outlook classify sophie.martin@medecin.mssante.fr jean.dupont@gmail.com',
  ].join('\n'),
  options: [...CONFIG_OPTIONS, HELP_OPTION],

  async run(args, io) {
    const dashes = args.positionals.filter((p) => p === '-').length;
    if (args.positionals.length === 0) {
      throw new UsageError('Donnez au moins une adresse à classer, ou « - » pour les lire sur l\'entrée standard.', 'classify');
    }
    if (dashes > 1) throw new UsageError('« - » (entrée standard) ne peut être donné qu\'une fois.', 'classify');
    if (dashes === 1 && io.stdin === undefined) throw new UsageError('« - » demande une entrée standard, et il n\'y en a pas.', 'classify');

    // Configuration first: a bad setting is reported before stdin is consumed.
    const config = loadCliConfig(args, io);
    const { trustSpace } = loadTrustSpace(config);
    const { directory } = await loadDirectory(config);
    const classify = createClassifier({
      trustSpace,
      gateways: [...config.gateways],
      internalDomains: [...config.internalDomains],
      directory: directory.lookup,
    });

    const inputs: string[] = [];
    for (const p of args.positionals) {
      if (p === '-' && io.stdin) {
        const text = await readAll(io.stdin);
        for (const line of text.split(/\r?\n/)) if (line.trim() !== '') inputs.push(line);
      } else {
        inputs.push(p);
      }
    }
    for (const input of inputs) io.stdout.write(`${classificationLine(classify(input))}\n`);
    return EXIT.OK;
  },
};
