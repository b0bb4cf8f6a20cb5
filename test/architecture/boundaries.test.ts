// Runtime: Node (jest). Proves that the linter enforces the architecture of STYLE.md: the core stays pure, the add-in
// and the connector never import each other, and Office is only touched behind the MailboxPort.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const helper = path.join(__dirname, 'lint-cases.mjs');

/** Lints every snippet in one child process (ESLint's flat config needs a real ESM loader). */
function lintAll(cases: Array<{ file: string; code: string }>): string[][] {
  const out = execFileSync(process.execPath, [helper], { input: JSON.stringify(cases), encoding: 'utf8' });
  return JSON.parse(out) as string[][];
}

describe('architecture boundaries (eslint)', () => {
  const violations: Array<[string, string, RegExp]> = [
    ['src/core/x.ts', "import { readFileSync } from 'node:fs';", /no Node modules/],
    ['src/core/x.ts', "import fs from 'fs';", /no Node modules/],
    ['src/core/x.ts', "import { buildApp } from '../connector/app';", /imports nothing outside src\/core/],
    ['src/core/x.ts', "import React from 'react';", /no UI, Office/],
    ['src/core/x.ts', 'export const t = Date.now();', /take the time as a parameter/],
    ['src/core/x.ts', 'export const t = new Date();', /take the time as a parameter/],
    ['src/core/x.ts', 'export const h = process.env.HOME;', /no environment/],
    ['src/core/x.ts', 'export const m = Office.context;', /no Office/],
    ['src/core/x.ts', 'console.log(1);', /Core never logs/],
    ['src/addin/taskpane/x.ts', "import { buildApp } from '../../connector/app';", /never imports the connector/],
    ['src/addin/taskpane/x.ts', "import fs from 'node:fs';", /no Node modules/],
    ['src/addin/taskpane/x.ts', 'export const m = Office.context.mailbox;', /MailboxPort/],
    ['src/connector/x.ts', "import { App } from '../addin/taskpane/App';", /never imports the add-in/],
    ['src/connector/x.ts', 'export const p = process.env.PORT;', /Only server.ts reads process.env/],
  ];
  const violationResults = lintAll(violations.map(([file, code]) => ({ file, code })));
  it.each(violations.map((v, i) => [...v, i] as const))('%s: `%s` is refused', (_file, _code, expected, i) => {
    expect(violationResults[i].join('\n')).toMatch(expected);
  });

  const allowed: Array<[string, string]> = [
    ['src/core/x.ts', "import { parseMailbox } from './address';"],
    ['src/addin/taskpane/x.ts', "import { evaluateSend } from '../../core';"],
    ['src/addin/office/x.ts', 'export const m = Office.context.mailbox;'],
    ['src/connector/x.ts', "import { createClassifier } from '../core';"],
    ['src/connector/server.ts', 'export const p = process.env.PORT;'],
  ];
  const allowedResults = lintAll(allowed.map(([file, code]) => ({ file, code })));
  it.each(allowed.map((a, i) => [...a, i] as const))('%s: `%s` is allowed', (_file, _code, i) => {
    expect(allowedResults[i]).toEqual([]);
  });
});
