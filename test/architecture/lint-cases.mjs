// Runtime: Node (helper of boundaries.test.ts). Lints code snippets as if they lived at given paths, with only the
// architecture rules (`no-restricted-*`), and prints the messages as JSON. Runs outside jest because ESLint loads its
// flat config with a dynamic import.
import { ESLint } from 'eslint';
import path from 'node:path';
import { readFileSync } from 'node:fs';

const root = path.resolve(import.meta.dirname, '../..');
const cases = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => ruleId.startsWith('no-restricted'),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});
const out = [];
for (const { file, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  out.push(result.messages.map((m) => `${m.ruleId}: ${m.message}`));
}
process.stdout.write(JSON.stringify(out));
