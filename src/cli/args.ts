// Runtime: Node (CLI). A small argument parser: options declared per command (`--name value`, `--name=value`,
// flags), positional arguments kept in order, `--` ends the options, `-` is a positional (standard input).

import { UsageError } from './io';

/** One option a command accepts. */
export interface OptionSpec {
  /** Long name without dashes, e.g. `config`. */
  readonly name: string;
  /** One-letter alias without dash, e.g. `h`. */
  readonly short?: string;
  /** True when the option takes a value. */
  readonly value: boolean;
  /** Placeholder of the value in the help, e.g. `<fichier>`. */
  readonly valueName?: string;
  /** French description for the help. */
  readonly description: string;
}

export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | true>>;
  readonly positionals: readonly string[];
}

/** Parses `argv` against `specs`; throws {@link UsageError} on unknown options or a missing value. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command?: string): ParsedArgs {
  const options: Record<string, string | true> = {};
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      const spec = specs.find((s) => s.short === arg.slice(1));
      if (!spec) throw new UsageError(`Option inconnue : ${arg}.`, command);
      name = spec.name;
    }
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new UsageError(`Option inconnue : --${name}.`, command);
    if (spec.value) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`L'option --${name} attend une valeur ${spec.valueName ?? ''}.`.replace(' .', '.'), command);
      options[name] = value;
    } else {
      if (inline !== undefined) throw new UsageError(`L'option --${name} ne prend pas de valeur.`, command);
      options[name] = true;
    }
  }
  return { options, positionals };
}
