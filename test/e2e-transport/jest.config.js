/**
 * End-to-end transport tests against the real operator stand-in (Postfix + Dovecot + a local OIDC provider playing
 * Pro Santé Connect), started by .ci/operator-stand-in.sh from global-setup.js. Run:
 *   npx jest -c test/e2e-transport/jest.config.js
 * Files are named *.e2e.ts so that the root jest config (npm test) never collects them.
 */
const path = require('node:path');

module.exports = {
  rootDir: path.resolve(__dirname, '../..'),
  roots: ['<rootDir>/test/e2e-transport'],
  testEnvironment: 'node',
  testMatch: ['**/*.e2e.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: { esModuleInterop: true, isolatedModules: true } }],
    // jose (and fastify's ES-module dependencies) compiled to CommonJS, as in the root jest config
    '^.+/node_modules/(content-disposition|cookie|jose)/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie|jose)/)'],
  globalSetup: '<rootDir>/test/e2e-transport/global-setup.js',
  globalTeardown: '<rootDir>/test/e2e-transport/global-teardown.js',
  maxWorkers: 1,
  testTimeout: 60000,
};
