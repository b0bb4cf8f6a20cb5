/**
 * End-to-end tests (`npm run test:e2e`, after `build:node` and `build:web`): the real connector over HTTPS on
 * 127.0.0.1, headless Debian Chromium through the harness, and the built launch-event file in a bare `vm` context.
 * Slow by nature: long timeouts, one worker (one browser at a time).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/test/e2e/**/*.e2e.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: { jsx: 'react-jsx', esModuleInterop: true, isolatedModules: true } }],
  },
  testTimeout: 120000,
  maxWorkers: 1,
};
