// Runtime: Node (jest). README.md must carry the current configuration reference and error-code tables, and keep
// the two newcomer commands at the top.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderReadme } from '../../src/connector/docs';
import { CONFIG_REFERENCE } from '../../src/connector/config';
import { ERROR_CODES } from '../../src/connector/errors';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

describe('README.md', () => {
  it('has its generated sections up to date (run: npm run build:node && node scripts/update-readme.mjs)', () => {
    expect(renderReadme(readme)).toBe(readme);
  });
  it('documents every setting and every HTTP error code', () => {
    for (const e of CONFIG_REFERENCE) expect(readme).toContain(`\`${e.key}\``);
    for (const code of Object.keys(ERROR_CODES)) expect(readme).toContain(`\`${code}\``);
  });
  it('starts with the two commands a newcomer runs', () => {
    const head = readme.slice(0, 800);
    expect(head).toContain('npm ci && npm start');
    expect(head).toContain('npm test');
  });
});
