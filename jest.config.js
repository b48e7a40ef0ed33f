// Test tiers by file suffix: *.unit.spec.ts (pure), *.int.spec.ts (real HTTP, SQLite files), *.contract.spec.ts (event store adapters).
// Transpile only (isolatedModules in tsconfig.json): `npm run typecheck` checks types once for the whole tree.
const transform = { '^.+\\.ts$': ['ts-jest', {}] };
const project = (displayName, suffix, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/**/*.${suffix}.spec.ts`],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  // Integration tests start real processes; on a loaded 2-core machine that takes more than jest's default 5 s.
  testTimeout: 30_000,
  // On two cores jest runs the test files in its own process, one after another: a test that times out never reaches its
  // cleanup, and the servers it left listening would hold the run open for ever. Jest still names the leak.
  forceExit: true,
  projects: [project('unit', 'unit'), project('integration', 'int', { globalSetup: '<rootDir>/test/support/buildDist.ts' }), project('contract', 'contract', { globalSetup: '<rootDir>/test/support/buildDist.ts' })],
};
