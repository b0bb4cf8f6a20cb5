// Runtime: Node (CLI). `mss-outlook <commande> ...`: the command table, the French help and the exit codes
// (0 success, 1 configuration error, 2 usage error). bin/mss-outlook.js runs the compiled runCli().

import { ConfigError, CONFIG_REFERENCE } from '../connector/config';
import { parseArgs, type OptionSpec } from './args';
import type { CliCommand } from './command';
import { HELP_OPTION } from './command';
import { classifyCommand } from './commands/classify';
import { detectCommand } from './commands/detect';
import { directoryCommand } from './commands/directory';
import { manifestCommand } from './manifest-command';
import { receiptCommand } from './commands/receipt';
import { xdmCommand } from './commands/xdm';
import { EXIT, UsageError, type CliIo } from './io';

export { EXIT, type CliIo } from './io';

const helpCommand: CliCommand = {
  name: 'help',
  summary: 'Affiche l\'aide générale, ou celle d\'une commande.',
  usage: 'help [commande]',
  options: [HELP_OPTION],
  async run(args, io) {
    const [topic, ...more] = args.positionals;
    if (more.length > 0) throw new UsageError('help accepte au plus un nom de commande.', 'help');
    if (topic === undefined) {
      io.stdout.write(generalHelp());
      return EXIT.OK;
    }
    const command = findCommand(topic);
    if (!command) throw new UsageError(`Commande inconnue : « ${topic} ».`);
    io.stdout.write(commandHelp(command));
    return EXIT.OK;
  },
};

/** The command table: later issues add their commands here. */
export const COMMANDS: readonly CliCommand[] = [classifyCommand, directoryCommand, detectCommand, xdmCommand, receiptCommand, manifestCommand, helpCommand];

function findCommand(name: string): CliCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

function formatOptions(options: readonly OptionSpec[]): string[] {
  return options.map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.value ? ` ${o.valueName ?? '<valeur>'}` : ''}`;
    return `  ${flag.padEnd(30)} ${o.description}`;
  });
}

const ENV_LINE = `Variables d'environnement (mêmes réglages que le connecteur) : ${CONFIG_REFERENCE.filter((e) => e.env)
  .map((e) => e.env)
  .join(', ')}.`;

const EXIT_LINES = [
  'Codes de sortie :',
  '  0  succès',
  '  1  configuration invalide (fichier, variable d\'environnement, liste blanche ou annuaire) : le message dit quoi corriger',
  '  2  usage incorrect (commande, option ou argument) : voir mss-outlook help',
];

/** `mss-outlook help`. */
export function generalHelp(): string {
  return [
    'mss-outlook — outils en ligne de commande de mss-outlook (MSSanté dans Outlook).',
    '',
    'Usage : mss-outlook <commande> [options] [arguments]',
    '',
    'Commandes :',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    'Aide d\'une commande : mss-outlook help <commande>  (ou mss-outlook <commande> --help)',
    '',
    ENV_LINE,
    'Sans fichier ni variable, la configuration intégrée s\'applique (liste blanche intégrée, annuaire d\'exemple).',
    '',
    ...EXIT_LINES,
    '',
  ].join('\n');
}

/** `mss-outlook help <command>`. */
export function commandHelp(c: CliCommand): string {
  return [
    `Usage : mss-outlook ${c.usage}`,
    '',
    c.summary,
    ...(c.description ? ['', c.description] : []),
    '',
    'Options :',
    ...formatOptions(c.options),
    '',
    ...EXIT_LINES,
    '',
  ].join('\n');
}

/**
 * Runs `mss-outlook` with `argv` (the arguments after the program name). Never calls process.exit; returns the
 * exit code. Unexpected errors (bugs) are rethrown.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(`Aucune commande donnée.\n\n${generalHelp()}`);
    return EXIT.USAGE;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(generalHelp());
    return EXIT.OK;
  }
  const command = findCommand(first);
  try {
    if (!command) throw new UsageError(first.startsWith('-') ? `Option inconnue avant la commande : ${first}.` : `Commande inconnue : « ${first} ».`);
    const args = parseArgs(rest, command.options, command.name);
    if (args.options.help === true) {
      io.stdout.write(commandHelp(command));
      return EXIT.OK;
    }
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      const hint = e.command ? `mss-outlook help ${e.command}` : 'mss-outlook help';
      io.stderr.write(`${e.message}\nVoir : ${hint}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof ConfigError) {
      io.stderr.write(`${e.message}\n`);
      return EXIT.CONFIG;
    }
    throw e;
  }
}
