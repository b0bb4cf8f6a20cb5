/**
 * Slow pipeline tests (durable outbound queue): SIGKILL of worker processes in the middle of 1,000-message batches
 * on SQLite and PostgreSQL, two instances sharing PostgreSQL, operator down then back. Real SMTP peer (smtp-server)
 * with STARTTLS on 127.0.0.1 and a throw-away IGC-Santé PKI. Run:
 *   npx jest -c test/e2e-pipeline/jest.config.js
 * Files are named *.e2e.ts so that the root jest config (npm test) never collects them.
 */
const path = require('node:path');

module.exports = {
  rootDir: path.resolve(__dirname, '../..'),
  roots: ['<rootDir>/test/e2e-pipeline'],
  testEnvironment: 'node',
  testMatch: ['**/*.e2e.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: { esModuleInterop: true, isolatedModules: true } }],
    '^.+/node_modules/(content-disposition|cookie|jose)/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie|jose)/)'],
  // compiles build/ (the worker processes run the compiled code)
  globalSetup: '<rootDir>/test/global-setup.js',
  maxWorkers: 2,
  testTimeout: 240000,
};
