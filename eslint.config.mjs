// ESLint flat config. Besides the usual checks it enforces the architecture of STYLE.md:
// src/core is pure (no Office, DOM, React, Node, clock, env, network); the add-in and the connector never import each
// other (they talk HTTP only); only src/addin/office, src/addin/launchevent and src/harness touch the Office global.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NODE_BUILTINS = ['node:*', 'fs', 'fs/*', 'path', 'os', 'http', 'https', 'net', 'tls', 'crypto', 'child_process',
  'stream', 'url', 'util', 'zlib', 'events', 'worker_threads', 'readline', 'dns', 'buffer', 'process'];

const restrict = (patterns, message) => patterns.map((group) => ({ group: [group], message }));

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'artifacts/', 'coverage/', '.data/', 'src/core/listeblanche-snapshot.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // the bugs this field actually has (STYLE.md rule 13)
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/only-throw-error': 'error',
      'no-template-curly-in-string': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error',
        { object: 'it', property: 'only', message: '.only hides the other tests.' },
        { object: 'describe', property: 'only', message: '.only hides the other tests.' },
        { object: 'test', property: 'only', message: '.only hides the other tests.' },
        { object: 'it', property: 'skip', message: 'A skipped test proves nothing.' },
        { object: 'describe', property: 'skip', message: 'A skipped test proves nothing.' },
        { object: 'test', property: 'skip', message: 'A skipped test proves nothing.' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...restrict(['../addin/*', '../connector/*', '../cli/*', '../harness/*', '../../*'], 'src/core is pure: it imports nothing outside src/core.'),
          ...restrict(NODE_BUILTINS, 'src/core is pure: no Node modules.'),
          ...restrict(['react', 'react-*', '@fluentui/*', '@microsoft/*', '@azure/*', 'office-*', 'fastify*', 'better-sqlite3', 'pg'], 'src/core is pure: no UI, Office, server or database library.'),
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'Office', message: 'src/core is pure: no Office.' },
        { name: 'window', message: 'src/core is pure: no DOM.' },
        { name: 'document', message: 'src/core is pure: no DOM.' },
        { name: 'localStorage', message: 'src/core is pure: no storage.' },
        { name: 'fetch', message: 'src/core is pure: no network.' },
        { name: 'process', message: 'src/core is pure: no environment.' },
        { name: 'Buffer', message: 'src/core is pure: no Node.' },
        { name: 'console', message: 'Core never logs.' }],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core is pure: take the time as a parameter.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'src/core is pure: take the time as a parameter.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'src/core is pure: no randomness.' }],
    },
  },
  {
    files: ['src/addin/**/*.ts', 'src/addin/**/*.tsx', 'src/harness/**/*.ts', 'src/harness/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...restrict(['**/connector', '**/connector/*', '**/cli/*'], 'The add-in never imports the connector: they talk HTTP only.'),
          ...restrict(NODE_BUILTINS, 'The add-in runs in Outlook: no Node modules.'),
        ],
      }],
    },
  },
  {
    files: ['src/addin/taskpane/**/*.ts', 'src/addin/taskpane/**/*.tsx'],
    rules: {
      'no-restricted-globals': ['error',
        { name: 'Office', message: 'Only src/addin/office touches the Office global: use the MailboxPort.' }],
    },
  },
  {
    files: ['src/addin/taskpane/index.tsx'],
    rules: { 'no-restricted-globals': 'off' }, // the bootstrap hands Office to the adapter, once
  },
  {
    files: ['src/connector/**/*.ts', 'src/cli/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: restrict(['**/addin', '**/addin/*', '**/harness/*'], 'The connector never imports the add-in: they talk HTTP only.'),
      }],
    },
  },
  {
    files: ['src/connector/**/*.ts'],
    ignores: ['src/connector/server.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Only server.ts reads process.env: pass configuration down.' }],
    },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { ...globals.node }, sourceType: 'module' },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
);
