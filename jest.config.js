/** Unit and integration tests (npm test). End-to-end browser tests live in test/e2e and run with `npm run test:e2e`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: { jsx: 'react-jsx', esModuleInterop: true, isolatedModules: true } }],
    // @fastify/static 10 and light-my-request (fastify's inject) require content-disposition 3 and cookie 2, ES modules:
    // Node (>= 20.19) loads them through require(esm), jest's module runtime cannot, so tests compile them to CommonJS.
    '^.+/node_modules/(content-disposition|cookie|jose)/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie|jose)/)'],
  testTimeout: 30000,
  // compiles build/ once (tests spawning bin/mss-outlook.js run the compiled CLI)
  globalSetup: '<rootDir>/test/global-setup.js',
};
