import path from "node:path";
import { requireEmptyFolder, writeDatasetFolder } from "@cxrlab/core/data";
import { imageStoreDir } from "@cxrlab/core/paths";
import {
  createDatasetVersion,
  type DatasetVersionDetail,
  type DatasetVersionSummary,
  DEFAULT_PROJECT,
  datasetCreatedEvent,
  describeExcluded,
  findDatasetVersion,
  listDatasetVersions,
  type Store,
  withStore,
} from "@cxrlab/db";
import { datasetNameProblem, parseDatasetRef } from "@cxrlab/validators/datasets";
import type { Command } from "commander";
import { auditCli } from "../cli-audit.ts";
import { positiveInt } from "../options.ts";

interface CreateFlags {
  project: string;
  fromReviews?: boolean;
  minReviewers: number;
  include?: string[];
  json?: boolean;
}

const counts = (by: Record<string, number>) =>
  Object.entries(by)
    .map(([key, n]) => `${key} ${n}`)
    .join(", ");

function summaryLines(v: DatasetVersionSummary): string[] {
  return [
    `${v.ref} (project ${v.project}): ${v.images} image(s), made ${v.createdAt.toISOString().slice(0, 16).replace("T", " ")}`,
    `  classes: ${counts(v.classes)}`,
    `  sources: ${counts(v.sources)}`,
    `  fingerprint: ${v.fingerprint}`,
    `  runs trained on it: ${v.runs}`,
  ];
}

/** The version, audited as a view of patient data (its manifest names patients). */
async function versionOf(
  store: Store,
  project: string,
  ref: string,
  action: string,
): Promise<DatasetVersionDetail> {
  const version = await findDatasetVersion(store, project, parseDatasetRef(ref));
  if (!version)
    throw new Error(`no dataset ${ref} in project "${project}" (cxrlab datasets list --project ${project})`);
  await auditCli(store, {
    action,
    targetType: "dataset",
    targetId: String(version.id),
    projectId: version.projectId,
    details: { ref: version.ref },
  });
  return version;
}

export function registerDatasetsCommand(program: Command): void {
  const datasets = program
    .command("datasets")
    .description("versioned datasets made from reviews and labelled folders (acts on the store directly)");

  datasets
    .command("create")
    .description("make the next version of NAME: an immutable, fingerprinted manifest of images and labels")
    .argument("<name>", "the dataset's name (letters, digits, . _ -)")
    .requiredOption("--project <name>", "the project whose reviewed archive images it takes")
    .option("--from-reviews", "label the project's reviewed images: enough reviews, all naming one class")
    .option("--min-reviewers <n>", "reviews an image needs (with --from-reviews)", positiveInt, 1)
    .option(
      "--include <folder...>",
      "add a labelled folder (one sub-folder per class; a patients.csv is read)",
    )
    .option("--json", "print JSON")
    .action(async (name: string, flags: CreateFlags) => {
      const problem = datasetNameProblem(name);
      if (problem) throw new Error(problem);
      await withStore(async (store) => {
        const outcome = await createDatasetVersion(store, {
          project: flags.project,
          name,
          ...(flags.fromReviews ? { fromReviews: { minReviewers: flags.minReviewers } } : {}),
          ...(flags.include ? { include: flags.include } : {}),
          imageStore: imageStoreDir(),
        });
        const { version, excluded, created } = outcome;
        if (created) await auditCli(store, datasetCreatedEvent(outcome));
        if (flags.json) {
          console.log(JSON.stringify({ created, ...version, excluded }, null, 2));
          return;
        }
        console.log(
          created
            ? `made ${version.ref}`
            : `identical to ${version.ref} (same fingerprint): no new version made`,
        );
        for (const line of summaryLines(version)) console.log(line);
        const left = Object.values(excluded).reduce((a, b) => a + b, 0);
        console.log(
          left ? `  left out: ${left} image(s): ${describeExcluded(excluded)}` : "  left out: none",
        );
      });
    });

  datasets
    .command("list")
    .description("dataset versions, by project, name and version")
    .option("--project <name>", "only this project's")
    .option("--json", "print JSON")
    .action(async (flags: { project?: string; json?: boolean }) => {
      await withStore(async (store) => {
        const list = await listDatasetVersions(store, flags.project ? { project: flags.project } : {});
        if (flags.json) {
          console.log(JSON.stringify(list, null, 2));
          return;
        }
        if (!list.length)
          console.log("no datasets yet: cxrlab datasets create NAME --project P --from-reviews");
        for (const v of list)
          console.log(
            `${v.project.padEnd(12)} ${v.ref.padEnd(24)} ${String(v.images).padStart(6)} image(s)  ${v.fingerprint.slice(0, 12)}  ${counts(v.classes)}`,
          );
      });
    });

  datasets
    .command("show")
    .description(
      "a version: counts per class and source, fingerprint, how it was made (--json: its manifest)",
    )
    .argument("<ref>", "NAME@VERSION")
    .option("--project <name>", "its project", DEFAULT_PROJECT)
    .option("--json", "print JSON, with the manifest's entries")
    .action(async (ref: string, flags: { project: string; json?: boolean }) => {
      await withStore(async (store) => {
        const version = await versionOf(store, flags.project, ref, "patient.dataset.show");
        if (flags.json) {
          console.log(JSON.stringify(version, null, 2));
          return;
        }
        for (const line of summaryLines(version)) console.log(line);
        const { fromReviews, include, excluded } = version.recipe;
        if (fromReviews)
          console.log(`  from reviews: at least ${fromReviews.minReviewers} review(s), all agreeing`);
        for (const folder of include) console.log(`  included: ${folder}`);
        if (Object.keys(excluded).length) console.log(`  left out: ${describeExcluded(excluded)}`);
      });
    });

  datasets
    .command("export")
    .description("write a version in Keras' layout: a folder per class, files named by SHA-256, manifest.csv")
    .argument("<ref>", "NAME@VERSION")
    .requiredOption("--out <dir>", "a new or empty folder")
    .option("--project <name>", "its project", DEFAULT_PROJECT)
    .option("--json", "print JSON")
    .action(async (ref: string, flags: { project: string; out: string; json?: boolean }) => {
      const out = path.resolve(flags.out);
      await requireEmptyFolder(out);
      await withStore(async (store) => {
        const version = await versionOf(store, flags.project, ref, "patient.dataset.export");
        await writeDatasetFolder(version.ref, out, version.entries);
        if (flags.json)
          console.log(
            JSON.stringify({
              ref: version.ref,
              out,
              images: version.images,
              classes: version.classes,
              fingerprint: version.fingerprint,
            }),
          );
        else
          console.log(
            `wrote ${version.ref} (${version.images} image(s): ${counts(version.classes)}) to ${out}`,
          );
      });
    });
}
