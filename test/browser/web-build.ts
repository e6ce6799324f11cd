import { buildDashboard, dashboardBuildStaleness } from "../../apps/cli/src/dashboard-build.ts";
import { say, seconds } from "./fixture.ts";

/** Builds apps/web, the way `cxrlab serve` would, unless its build is newer than its sources. */
export async function ensureDashboardBuild(cancel: AbortSignal): Promise<void> {
  const stale = dashboardBuildStaleness();
  if (!stale) {
    say("apps/web build is up to date");
    return;
  }
  say(`building apps/web (${stale}; next build takes a minute or two)...`);
  const started = Date.now();
  await buildDashboard(cancel);
  say(`apps/web built in ${seconds(started)} s`);
}
