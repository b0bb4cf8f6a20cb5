// Runtime: Node (CLI). What a command may touch: injected streams, environment and working directory, so the
// whole CLI runs in-process in tests exactly as from bin/mss-outlook.js.

/** A text sink (process.stdout, or a test buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/** The CLI's view of the outside world. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Standard input, read only by commands given `-`. */
  readonly stdin?: AsyncIterable<string | Buffer>;
  readonly env: Record<string, string | undefined>;
  /** Base of relative paths (default: process.cwd()). */
  readonly cwd?: string;
}

/** Exit codes of the CLI. */
export const EXIT = {
  OK: 0,
  /** Configuration invalid (file, environment, liste blanche, directory): fix the settings. */
  CONFIG: 1,
  /** Wrong usage (unknown command or option, missing argument): see `mss-outlook help`. */
  USAGE: 2,
} as const;

/** A usage error: printed with a pointer to the help, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Reads the whole stream as UTF-8 text. */
export async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  return chunks.join('');
}
