// Browser tests: Debian's Chromium (never a downloaded browser) against the real server.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.js';

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-output/e2e/artifacts',
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-output/e2e/results.json' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1366, height: 820 },
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
