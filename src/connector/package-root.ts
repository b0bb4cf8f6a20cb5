// Runtime: Node (connector, CLI). Locates files shipped with the package, whether the code runs from
// src/ (ts-jest) or from build/src/ (compiled): both are found by walking up to our package.json.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'mss-outlook';

let cached: { root: string; version: string } | undefined;

function locate(): { root: string; version: string } {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME) {
        cached = { root: dir, version: pkg.version ?? '0.0.0' };
        return cached;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json of ${PACKAGE_NAME} not found above ${__dirname}`);
    dir = parent;
  }
}

/** Absolute path of the mss-outlook package (the folder holding its package.json). */
export function packageRoot(): string {
  return locate().root;
}

/** The package version (package.json `version`), shown by `GET /api/health`. */
export function packageVersion(): string {
  return locate().version;
}

/** The bundled sample directory (a small `Extraction_Correspondance_MSSante` file), used when no extraction is configured. */
export function bundledDirectoryPath(): string {
  return join(packageRoot(), 'assets', 'directory', 'annuaire-exemple.txt');
}

/** The folder holding office.js and the files it loads (`@microsoft/office-js/dist`), or undefined when not installed. */
export function officeJsDistDir(): string | undefined {
  const dir = join(packageRoot(), 'node_modules', '@microsoft', 'office-js', 'dist');
  return existsSync(join(dir, 'office.js')) ? dir : undefined;
}
