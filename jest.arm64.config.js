/**
 * jest under qemu-aarch64 (scripts/test-arm64.sh): the same tests, transpiled without
 * type-checking (the host run type-checks them; under emulation it would triple the time),
 * with timeouts sized for emulation.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testTimeout: 600000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, rootDir: '.' } }] },
};
