import { configDefaults, defineConfig } from "vitest/config";

const BROWSER_TESTS = "test/browser/**/*.test.ts";

export default defineConfig({
  test: {
    pool: "forks",
    setupFiles: ["test/temp-dir.setup.ts"],
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, BROWSER_TESTS],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: [BROWSER_TESTS],
          // Trains the fixture store and builds apps/web; vitest runs it only when browser tests are selected.
          globalSetup: ["test/browser/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
