// Runtime: Node (dev script). Rewrites the generated sections of README.md from the code's own tables.
// Usage: npm run build:node && node scripts/update-readme.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { renderReadme } = require('../build/src/connector/docs.js');
const file = new URL('../README.md', import.meta.url);
writeFileSync(file, renderReadme(readFileSync(file, 'utf8')));
console.log('README.md mis à jour');
