// Runtime: Node (CLI). `mss-outlook receipt <file.eml>`: prints the JSON the receipt poller stores for a delivery
// status notification (DSN, RFC 3464) or a read receipt (MDN, RFC 8098): type, original Message-ID, recipients with
// their action and status, and a French explanation. Any other e-mail gives {"type":"not-a-receipt",...}.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseReceipt } from '../../connector/receipts/parse-receipt';
import { HELP_OPTION, type CliCommand } from '../command';
import { EXIT, UsageError } from '../io';

/** `mss-outlook receipt`. */
export const receiptCommand: CliCommand = {
  name: 'receipt',
  summary: 'Lit un accusé de réception (DSN) ou de lecture (MDN) et affiche le JSON enregistré.',
  usage: 'receipt <fichier.eml...>',
  options: [HELP_OPTION],
  async run(args, io) {
    if (args.positionals.length === 0) throw new UsageError('Usage : mss-outlook receipt <fichier.eml...>', 'receipt');
    const cwd = io.cwd ?? process.cwd();
    for (const f of args.positionals) {
      let raw: Buffer;
      try {
        raw = await readFile(resolve(cwd, f));
      } catch {
        throw new UsageError(`Fichier introuvable ou illisible : « ${resolve(cwd, f)} ».`, 'receipt');
      }
      io.stdout.write(`${JSON.stringify({ file: f, ...(await parseReceipt(raw)) })}\n`);
    }
    return EXIT.OK;
  },
};
