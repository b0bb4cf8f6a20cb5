// Runtime: Node (jest). Temporary folders under os.tmpdir(), removed after each test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

/** A fresh empty folder, removed by {@link removeTempDirs} (call it in afterAll). */
export function makeTempDir(prefix = 'mss-outlook-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder made by {@link makeTempDir} in this test file. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
