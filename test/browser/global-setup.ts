import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { prepareFixture } from "./fixture.ts";
import { ensureDashboardBuild } from "./web-build.ts";

/**
 * Runs once per vitest run, and only when browser tests are selected (vitest sets up a project only
 * when it has files to run): the fixture store's training (one CPU core) and the dashboard's build
 * run side by side.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  // When one fails, the other is cut short rather than left running after vitest has given up.
  const abort = new AbortController();
  const failFast = (err: unknown): never => {
    abort.abort();
    throw err;
  };
  const [{ copyDir, ...fixture }] = await Promise.all([
    prepareFixture(abort.signal).catch(failFast),
    ensureDashboardBuild(abort.signal).catch(failFast),
  ]);
  project.provide("browserFixture", fixture);
  return () => rmSync(copyDir, { recursive: true, force: true });
}
