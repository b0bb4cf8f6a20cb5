#!/usr/bin/env node
// Runtime: Node. The `mss-outlook` command (package.json "bin"): a shim onto the compiled CLI in build/.
'use strict';

const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'build', 'src', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write("mss-outlook n'est pas encore compilé. Lancez d'abord npm run build:node\n");
  process.exit(2);
}

const { runCli } = require(compiled);
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`Erreur inattendue de mss-outlook : ${(err && err.stack) || String(err)}\n`);
    process.exitCode = 70;
  },
);
