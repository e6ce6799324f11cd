import { listProjectReviews, type ProjectReview, reviewsCsv, type Store, withStore } from "@cxrlab/db";
import type { Command } from "commander";
import { auditCli } from "../cli-audit.ts";

interface Flags {
  project: string;
  json?: boolean;
  csv?: boolean;
}

/** The project's reviews, audited as a view of patient data (they carry patient IDs). */
async function projectReviews(store: Store, project: string, action: string): Promise<ProjectReview[]> {
  const found = await listProjectReviews(store, project);
  if (!found) throw new Error(`no project "${project}" in the store (cxrlab projects list names them)`);
  const { projectId, reviews } = found;
  await auditCli(store, {
    action,
    targetType: "project",
    targetId: String(projectId),
    projectId,
    details: { reviews: reviews.length },
  });
  return reviews;
}

function print(reviews: ProjectReview[], flags: Flags, fallback: "text" | "csv"): void {
  if (flags.json && flags.csv) throw new Error("choose one of --json and --csv");
  const format = flags.json ? "json" : flags.csv ? "csv" : fallback;
  if (format === "json") console.log(JSON.stringify(reviews, null, 2));
  else if (format === "csv") process.stdout.write(reviewsCsv(reviews));
  else {
    for (const r of reviews) {
      const marks = [r.agreesWithModel ? "agrees" : "corrects", r.disagreement && "readers disagree"];
      console.log(
        `image ${String(r.imageId).padStart(5)}  ${r.patientId.padEnd(14)} ${(r.reviewerEmail ?? "(former account)").padEnd(28)} ` +
          `${r.label.padEnd(16)} model ${r.runId ?? "-"}: ${r.predictedLabel} ${(r.confidence * 100).toFixed(1)}%  ` +
          `${marks.filter(Boolean).join(", ")}${r.comment ? `  "${r.comment}"` : ""}`,
      );
    }
    console.log(`${reviews.length} review(s)`);
  }
}

export function registerReviewsCommand(program: Command): void {
  const reviews = program
    .command("reviews")
    .description("radiologists' reviews of predictions on the patient archive (acts on the store directly)");

  reviews
    .command("list")
    .description("every review of the project's images: reader, label, the model's prediction, agreement")
    .requiredOption("--project <name>", "the project")
    .option("--json", "print JSON")
    .option("--csv", "print CSV")
    .action(async (flags: Flags) => {
      await withStore(async (store) =>
        print(await projectReviews(store, flags.project, "patient.reviews.list"), flags, "text"),
      );
    });

  reviews
    .command("export")
    .description("the project's reviews as CSV (default) or JSON on stdout, one row per reader per image")
    .requiredOption("--project <name>", "the project")
    .option("--json", "JSON instead of CSV")
    .option("--csv", "CSV (the default)")
    .action(async (flags: Flags) => {
      await withStore(async (store) =>
        print(await projectReviews(store, flags.project, "patient.reviews.export"), flags, "csv"),
      );
    });
}
