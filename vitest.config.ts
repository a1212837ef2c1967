import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration tests (real processes over real HTTP) in proxy-agent/test/.
export default defineConfig({
  resolve: { alias: { '@': new URL('.', import.meta.url).pathname } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'proxy-agent/src/**/*.test.ts',
            'lib/**/*.test.ts',
            'components/**/*.test.ts',
            'scripts/**/*.test.mjs',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['proxy-agent/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Real processes and ports on a 2-core machine: run files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
