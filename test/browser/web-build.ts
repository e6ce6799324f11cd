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
  const printed = await buildDashboard(cancel);
  say(`apps/web built in ${seconds(started)} s`);
  // What `cxrlab serve` shows a newcomer on the first start: warnings there are for code that works.
  const warnings = printed.split("\n").filter((line) => /warn/i.test(line));
  if (warnings.length) throw new Error(`the dashboard build printed warnings:\n${warnings.join("\n")}`);
}
