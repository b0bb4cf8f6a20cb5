// Runtime: Node (CLI). The shape of a CLI command, and the options shared by every command that needs the
// connector configuration. New commands (later issues) implement CliCommand and join the table in main.ts.

import { loadConfig, type Config } from '../connector/config';
import type { OptionSpec, ParsedArgs } from './args';
import type { CliIo } from './io';

/** One command of `mss-outlook`. */
export interface CliCommand {
  readonly name: string;
  /** One French line for the command list. */
  readonly summary: string;
  /** Usage line after `mss-outlook `, e.g. `classify [options] <adresse...>`. */
  readonly usage: string;
  /** More French help shown by `mss-outlook help <command>`. */
  readonly description?: string;
  readonly options: readonly OptionSpec[];
  /** Runs the command; returns the exit code. Throws UsageError (exit 2) or ConfigError (exit 1). */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** `-h, --help`, accepted by every command. */
export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', value: false, description: 'Affiche l\'aide de la commande.' };

/** Options selecting the same configuration as the connector. */
export const CONFIG_OPTIONS: readonly OptionSpec[] = [
  { name: 'config', value: true, valueName: '<fichier>', description: 'Fichier de configuration JSON (sinon MSS_CONFIG, sinon la configuration intégrée).' },
  { name: 'liste-blanche', value: true, valueName: '<fichier>', description: 'Liste blanche MSSanté (listeblanchemssante.xml) ; sinon MSS_LISTE_BLANCHE, sinon l\'instantané intégré.' },
];

/** Loads the connector configuration as the connector would, with the CLI options on top of the environment. */
export function loadCliConfig(args: ParsedArgs, io: CliIo): Config {
  const file = args.options.config;
  const lb = args.options['liste-blanche'];
  return loadConfig({
    ...(typeof file === 'string' ? { file } : {}),
    env: io.env,
    ...(io.cwd !== undefined ? { cwd: io.cwd } : {}),
    ...(typeof lb === 'string' ? { overrides: { 'trustSpace.listeBlanchePath': { value: lb, option: '--liste-blanche' } } } : {}),
  });
}
