// Runtime: Node (CLI). `mss-outlook detect`: the add-in's health-data detection (core detectHealthData, the same code
// the Smart Alerts handler runs) over messages given as JSON lines on standard input, so an admin can try the policy
// on their own samples. One JSON line out per message; findings carry rule ids and weights, never the text.

import { detectHealthData, type Finding } from '../../core';
import { HELP_OPTION, type CliCommand } from '../command';
import { EXIT, UsageError, type TextSink } from '../io';

/** What one output line says. */
export interface DetectLine {
  readonly id: string | number | null;
  readonly verdict: 'health' | 'clear';
  readonly score: number;
  readonly findings: readonly Finding[];
}

/** A message as read from one input line. */
interface DetectInput {
  readonly id: string | number | null;
  readonly subject?: string;
  readonly body?: string;
  readonly attachments?: readonly string[];
}

const FORMAT = '{"id","subject","body","attachments":["nom.pdf"]}';

/** Parses one input line; a French problem (without the line number) when it is not a usable message. */
export function parseDetectLine(line: string): { ok: true; input: DetectInput } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, problem: `JSON invalide (${(err as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'un objet JSON est attendu' };
  const v = value as Record<string, unknown>;
  const id = v.id;
  if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number') {
    return { ok: false, problem: '« id » doit être un texte ou un nombre' };
  }
  for (const key of ['subject', 'body'] as const) {
    if (v[key] !== undefined && v[key] !== null && typeof v[key] !== 'string') return { ok: false, problem: `« ${key} » doit être un texte` };
  }
  const attachments = v.attachments;
  if (attachments !== undefined && attachments !== null) {
    if (!Array.isArray(attachments) || attachments.some((a) => typeof a !== 'string')) {
      return { ok: false, problem: '« attachments » doit être une liste de noms de fichiers (textes)' };
    }
  }
  const known = new Set(['id', 'subject', 'body', 'attachments']);
  const unknown = Object.keys(v).filter((k) => !known.has(k));
  if (unknown.length > 0 && v.subject === undefined && v.body === undefined && v.attachments === undefined) {
    return { ok: false, problem: `aucun des champs « subject », « body », « attachments » (reçu : ${unknown.slice(0, 5).join(', ')})` };
  }
  return {
    ok: true,
    input: {
      id: id === undefined ? null : (id as string | number | null),
      ...(typeof v.subject === 'string' ? { subject: v.subject } : {}),
      ...(typeof v.body === 'string' ? { body: v.body } : {}),
      ...(Array.isArray(attachments) ? { attachments: attachments as string[] } : {}),
    },
  };
}

/** Runs the detection on one message. */
export function detectLine(input: DetectInput): DetectLine {
  const d = detectHealthData({ subject: input.subject, bodyText: input.body, attachmentNames: input.attachments });
  return { id: input.id, verdict: d.healthData ? 'health' : 'clear', score: d.score, findings: d.findings };
}

/** Splits a stream of chunks into numbered lines (LF or CRLF), as they come. */
async function* numberedLines(stream: AsyncIterable<string | Buffer>): AsyncGenerator<{ n: number; line: string }> {
  let buffer = '';
  let n = 0;
  for await (const chunk of stream) {
    buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      n += 1;
      yield { n, line: buffer.slice(0, nl).replace(/\r$/, '') };
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  }
  if (buffer.length > 0) yield { n: n + 1, line: buffer.replace(/\r$/, '') };
}

/** Processes every line; returns how many were refused. */
export async function runDetect(stdin: AsyncIterable<string | Buffer>, stdout: TextSink, stderr: TextSink): Promise<{ messages: number; refused: number }> {
  let messages = 0;
  let refused = 0;
  for await (const { n, line } of numberedLines(stdin)) {
    if (line.trim() === '') continue;
    const parsed = parseDetectLine(line);
    if (!parsed.ok) {
      refused += 1;
      stderr.write(`mss-outlook detect : ligne ${n} ignorée : ${parsed.problem}. Format attendu : ${FORMAT}\n`);
      continue;
    }
    messages += 1;
    stdout.write(`${JSON.stringify(detectLine(parsed.input))}\n`);
  }
  return { messages, refused };
}

export const detectCommand: CliCommand = {
  name: 'detect',
  summary: 'Détecte les données de santé dans des messages (lignes JSON sur l\'entrée standard) : une ligne JSON par message.',
  usage: 'detect [-] < messages.jsonl',
  description: [
    `Chaque ligne de l'entrée standard est un message : ${FORMAT} (champs facultatifs sauf l'un des trois derniers).`,
    'Chaque message donne une ligne JSON : {"id","verdict":"health"|"clear","score","findings":[...]}, où chaque',
    'constat donne sa nature, son emplacement, sa règle et son poids, jamais le texte trouvé.',
    'C\'est la détection de l\'add-in à l\'envoi (politique healthDataToNonMssante).',
    'Une ligne invalide est signalée sur la sortie d\'erreur avec son numéro ; les suivantes sont traitées,',
    'et le code de sortie vaut alors 2.',
    'Exemple : echo \'{"id":1,"subject":"CRH Mme Durand","body":"née le 12/03/1948"}\' | mss-outlook detect',
  ].join('\n'),
  options: [HELP_OPTION],

  async run(args, io) {
    const extra = args.positionals.filter((p) => p !== '-');
    if (extra.length > 0) throw new UsageError(`detect lit les messages sur l'entrée standard : argument inattendu « ${extra[0]} ».`, 'detect');
    if (io.stdin === undefined) throw new UsageError('detect demande une entrée standard (lignes JSON), et il n\'y en a pas.', 'detect');
    const { refused } = await runDetect(io.stdin, io.stdout, io.stderr);
    return refused > 0 ? EXIT.USAGE : EXIT.OK;
  },
};
