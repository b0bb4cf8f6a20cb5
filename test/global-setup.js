// Runtime: Node (jest globalSetup). Compiles the Node code (core, connector, CLI) to build/ once per jest run, so
// tests that spawn the real `bin/mss-outlook.js` run the compiled build, as users do. Incremental: a few seconds
// the first time, about one after. A type error does not stop the other suites (tsc still emits; `npm run typecheck`
// reports it); the tests that need build/ check it themselves.
'use strict';

const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  const root = join(__dirname, '..');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const started = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.node.json', '--incremental', '--tsBuildInfoFile', 'build/.tsbuildinfo'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(
      `\n[global-setup] tsc -p tsconfig.node.json a échoué (code ${r.status}) ; les tests qui lancent build/ peuvent échouer :\n${r.stdout}${r.stderr}\n`,
    );
  } else if (process.env.CI) {
    process.stderr.write(`\n[global-setup] build/ compilé en ${Date.now() - started} ms\n`);
  }
};
