import { createInterface } from "node:readline/promises";
import { deleteRun, type RunSummary, withStore } from "@cxrlab/db";
import { RUN_STATUSES, type RunStatus } from "@cxrlab/validators/run-status";
import { type Command, Option } from "commander";
import { auditCli } from "../cli-audit.ts";
import { positiveInt } from "../options.ts";
import { REMOTE_OPTION, requireStoredRun, withRecords } from "../records.ts";

const pct = (v: unknown) => (typeof v === "number" ? `${(v * 100).toFixed(2)}%` : "-");

function summaryLine(run: RunSummary): string {
  const when = (run.startedAt ?? run.createdAt).toISOString().slice(0, 16).replace("T", " ");
  return (
    `${String(run.id).padStart(5)}  ${run.status.padEnd(11)} ${run.preset.padEnd(12)} ${when}  ` +
    `${pct(run.testAccuracy).padStart(8)}  ${run.name}${run.tags.length ? `  [${run.tags.join(", ")}]` : ""}`
  );
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new Error("refusing to delete without confirmation: pass --yes");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function registerRunsCommand(program: Command): void {
  const runs = program.command("runs").description("look up training runs in the experiment store");

  runs
    .command("list")
    .description("runs, newest first")
    .addOption(new Option("--status <status>", "only runs with this status").choices(RUN_STATUSES))
    .option("--tag <tag>", "only runs with this tag")
    .option("--project <name>", "only runs of this project")
    .option("--limit <n>", "at most n runs", positiveInt, 50)
    .option("--json", "print JSON")
    .option(...REMOTE_OPTION)
    .action(
      async (flags: {
        status?: RunStatus;
        tag?: string;
        project?: string;
        limit: number;
        json?: boolean;
        remote?: boolean;
      }) => {
        const list = await withRecords(flags.remote, (records) =>
          records.listRuns({
            limit: flags.limit,
            ...(flags.status ? { status: [flags.status] } : {}),
            ...(flags.tag ? { tag: flags.tag } : {}),
            ...(flags.project ? { project: flags.project } : {}),
          }),
        );
        if (flags.json) {
          console.log(JSON.stringify(list));
          return;
        }
        if (list.length === 0) console.log("no runs yet: `cxrlab train` or `npm run demo` records one");
        else console.log(`   id  status      preset       started            accuracy  name`);
        for (const run of list) console.log(summaryLine(run));
      },
    );

  runs
    .command("show")
    .description("one run with its epochs, evaluations and prediction count")
    .argument("<id>", "run id", positiveInt)
    .option("--json", "print JSON")
    .option(...REMOTE_OPTION)
    .action(async (id: number, flags: { json?: boolean; remote?: boolean }) => {
      await withRecords(flags.remote, async (records) => {
        const run = await records.getRun(id);
        if (flags.json) {
          console.log(JSON.stringify(run));
          return;
        }
        console.log(
          `run ${run.id} ${run.name} (${run.preset}): ${run.status}${run.statusMessage ? ` (${run.statusMessage})` : ""}`,
        );
        console.log(
          `backend ${run.backend ?? "-"}, seed ${run.seed}, code ${run.codeVersion ?? "-"}, model ${run.modelLocation ?? "-"}`,
        );
        console.log("epoch      loss  accuracy  val_loss  val_acc");
        for (const e of run.epochs) {
          const f = (v: number | null) => (v === null ? "-" : v.toFixed(4)).padStart(9);
          console.log(
            `${String(e.epoch).padStart(5)} ${f(e.loss)} ${f(e.accuracy)} ${f(e.valLoss)} ${f(e.valAccuracy)}`,
          );
        }
        for (const ev of run.evaluations) {
          console.log(
            `${ev.split}: accuracy ${pct(ev.metrics.accuracy)}, loss ${ev.metrics.loss.toFixed(5)}`,
          );
        }
        if (run.datasetVersion)
          console.log(
            `dataset: ${run.datasetVersion.name}@${run.datasetVersion.version} (fingerprint ${run.datasetVersion.fingerprint})`,
          );
        console.log(`predictions: ${run.predictionCount}`);
        if (run.tags.length) console.log(`tags: ${run.tags.join(", ")}`);
        for (const n of run.notes) console.log(`note (${n.createdAt.toISOString().slice(0, 16)}): ${n.body}`);
      });
    });

  runs
    .command("tag")
    .description("add tags to a run")
    .argument("<id>", "run id", positiveInt)
    .argument("<tags...>", "tags to add")
    .option(...REMOTE_OPTION)
    .action(async (id: number, tags: string[], flags: { remote?: boolean }) => {
      await withRecords(flags.remote, (records) => records.tagRun(id, tags));
      console.log(`run ${id} tagged ${tags.join(", ")}`);
    });

  runs
    .command("note")
    .description("add a note to a run")
    .argument("<id>", "run id", positiveInt)
    .argument("<text...>", "the note")
    .option(...REMOTE_OPTION)
    .action(async (id: number, words: string[], flags: { remote?: boolean }) => {
      await withRecords(flags.remote, (records) => records.noteRun(id, words.join(" ")));
      console.log(`note added to run ${id}`);
    });

  runs
    .command("delete")
    .description("delete a run and everything recorded with it (its run folder stays on disk)")
    .argument("<id>", "run id", positiveInt)
    .option("--yes", "do not ask for confirmation")
    .action(async (id: number, flags: { yes?: boolean }) => {
      await withStore(async (store) => {
        const run = await requireStoredRun(store, id);
        const question = `delete run ${id} "${run.name}" with ${run.epochs.length} epochs and ${run.predictionCount} predictions?`;
        if (!flags.yes && !(await confirm(question))) {
          console.log("nothing deleted");
          return;
        }
        await deleteRun(store, id);
        await auditCli(store, {
          action: "run.delete",
          targetType: "run",
          targetId: String(id),
          projectId: run.projectId,
          details: { name: run.name },
        });
        console.log(`deleted run ${id}`);
      });
    });
}
