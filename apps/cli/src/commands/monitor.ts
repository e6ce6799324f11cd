import { parseTimeWindow } from "@cxrlab/core/monitoring";
import { isoDay } from "@cxrlab/core/plots";
import { type MonitoringWindow, projectMonitoring, withStore } from "@cxrlab/db";
import type { Command } from "commander";

interface Flags {
  project: string;
  run?: string;
  window: string;
  json?: boolean;
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`;

function agreementText(w: Omit<MonitoringWindow, "start" | "end">): string {
  const a = w.agreement?.accuracy;
  const interval = a && a.lower !== null ? ` (95% CI ${pct(a.lower)}–${pct(a.upper)})` : "";
  const drift = w.drift?.flagged
    ? `drift: ${w.drift.checks
        .filter((c) => c.flagged)
        .map((c) => c.name)
        .join(", ")}`
    : w.drift
      ? "no drift"
      : "drift not checked";
  return `${pct(a?.estimate)}${interval} of ${w.reviewed} counted (${w.images} images, ${w.uncertainImages} uncertain, ${w.ties} ties); ${drift}`;
}

export function registerMonitorCommand(program: Command): void {
  program
    .command("monitor")
    .description(
      "how the project's default model (or --run) agrees with reviewers on arriving images, per window, and whether inputs drift from its training images",
    )
    .requiredOption("--project <name>", "the project")
    .option("--run <id>", "a run of the project instead of its default model")
    .option("--window <window>", "week, month or a number of days such as 14d", "week")
    .option("--json", "print JSON")
    .action(async (flags: Flags) => {
      const window = parseTimeWindow(flags.window);
      const runId = flags.run === undefined ? undefined : Number(flags.run);
      if (runId !== undefined && !(Number.isInteger(runId) && runId > 0))
        throw new Error(`--run ${flags.run}: expected a run id`);
      await withStore(async (store) => {
        const result = await projectMonitoring(store, flags.project, { window, ...(runId ? { runId } : {}) });
        if (!result)
          throw new Error(`no project "${flags.project}" in the store (cxrlab projects list names them)`);
        if (flags.json) {
          console.log(JSON.stringify(result, null, 2));
          return;
        }
        const m = result.monitoring;
        if (!m) {
          console.log(`${result.project.name}: no default model (promote a run, or give --run)`);
          return;
        }
        const isDefault = result.defaultModel?.runId === m.run.id ? " (default model)" : "";
        console.log(`${result.project.name}: run ${m.run.id} ${m.run.name}${isDefault}, per ${m.window}`);
        for (const w of m.windows) console.log(`  ${isoDay(w.start)}  ${agreementText(w)}`);
        console.log(`  all          ${agreementText(m.overall)}`);
        const classes = m.overall.agreement?.classes ?? [];
        if (classes.length)
          console.log(
            `  recall       ${classes.map((c) => `${c.name} ${pct(c.recall.estimate)} of ${c.support}`).join(", ")}`,
          );
        console.log(
          `  uncertain reviews left out: ${m.uncertainReviews}; disagreements: ${m.disagreements.length}`,
        );
        if (m.reference.reason) console.log(`  drift: ${m.reference.reason}`);
        for (const c of m.overall.drift?.checks ?? [])
          console.log(
            `  ${c.name.padEnd(20)} ${c.statistic} ${c.value.toFixed(3)} (threshold ${c.threshold.toFixed(3)})${c.flagged ? "  DRIFT" : ""}`,
          );
        console.log(`  ${m.countingRule}`);
      });
    });
}
