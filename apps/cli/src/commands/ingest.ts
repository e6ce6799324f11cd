import path from "node:path";
import { imageStoreDir } from "@cxrlab/core/paths";
import { type IngestReport, ingestFiles, parseStudyDate, type SourceFields, withStore } from "@cxrlab/db";
import { type ArrivalPredictions, describeArrivalPredictions } from "@cxrlab/queue";
import { type Command, InvalidArgumentError } from "commander";
import { queueIngestPredictions } from "../arrival-predictions.ts";
import { auditIngest } from "../cli-audit.ts";

interface IngestFlags {
  patient?: string;
  issuer?: string;
  studyDate?: string;
  studyUid?: string;
  accession?: string;
  view?: string;
  sidecar?: string;
  project?: string;
  json?: boolean;
}

function studyDateFlag(value: string): string {
  try {
    parseStudyDate(value, "--study-date");
    return value;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** A line on stderr every tenth of the way, for batches big enough to wait on. */
function progressPrinter() {
  let lastTenth = -1;
  return (done: number, total: number, report: IngestReport) => {
    const tenth = Math.floor((done / total) * 10);
    if (total < 20 || tenth === lastTenth) return;
    lastTenth = tenth;
    process.stderr.write(
      `ingest: ${done}/${total} files (new ${report.new.length}, known ${report.known.length}, rejected ${report.rejected.length})\n`,
    );
  };
}

/** An ingest's report with what became of its new images' predictions. */
export type ArrivalReport<R extends IngestReport = IngestReport> = R & { predictions: ArrivalPredictions };

export function printReport(report: ArrivalReport): void {
  const rel = (file: string) => path.relative(process.cwd(), file) || file;
  for (const e of report.new)
    console.log(
      `new      ${rel(e.file)}  patient ${e.patientId}${e.issuer ? ` (${e.issuer})` : ""}  image ${e.imageId}`,
    );
  for (const e of report.known) console.log(`known    ${rel(e.file)}  image ${e.imageId}`);
  for (const r of report.rejected) console.log(`rejected ${rel(r.file)}: ${r.reason}`);
  const patient = (e: { patientId: string; issuer: string }) =>
    `patient ${e.patientId}${e.issuer ? ` (${e.issuer})` : ""}`;
  for (const c of report.conflicts)
    console.log(
      `conflict ${rel(c.file)}  ${patient(c)}: ${c.field} kept ${JSON.stringify(c.kept)}, refused ${JSON.stringify(c.refused)}`,
    );
  for (const f of report.filled)
    console.log(`filled   ${rel(f.file)}  ${patient(f)}: ${f.field} ${JSON.stringify(f.value)} (was empty)`);
  const conflicts = report.conflicts.length
    ? `, ${report.conflicts.length} demographic conflict${report.conflicts.length === 1 ? "" : "s"}`
    : "";
  console.log(
    `${report.new.length} new, ${report.known.length} already known, ${report.rejected.length} rejected${conflicts}`,
  );
  console.log(describeArrivalPredictions(report.predictions));
}

export function registerIngestCommand(program: Command): void {
  program
    .command("ingest")
    .description("add DICOM, PNG and JPEG images to the patient archive")
    .argument("<paths...>", "files or folders (walked; DICOM is recognised by content, not name)")
    .option("--patient <id>", "patient ID for images without one (PNG/JPEG; DICOM lacking PatientID)")
    .option("--issuer <issuer>", "issuer of the patient ID")
    .option("--study-date <date>", "study date (YYYY-MM-DD) for images without one", studyDateFlag)
    .option("--study-uid <uid>", "StudyInstanceUID for images without one")
    .option("--accession <number>", "accession number for images without one")
    .option("--view <position>", "view position (PA, AP, LATERAL, ...) for images without one")
    .option(
      "--sidecar <file>",
      "CSV (file,patient_id,issuer,study_date,study_uid,accession,view) or JSON array",
    )
    .option("--project <name>", "the project new patients join (default: default)")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nDICOM tags win over a sidecar row or <image>.json beside the image, which win over the flags.\n" +
        `Image bytes go to $CXRLAB_IMAGE_STORE (default ~/.local/share/cxrlab/images).\n` +
        "Exits non-zero only when every file was rejected.",
    )
    .action(async (paths: string[], flags: IngestFlags) => {
      const fields: SourceFields = {
        patientId: flags.patient,
        issuer: flags.issuer,
        studyDate: flags.studyDate,
        studyUid: flags.studyUid,
        accession: flags.accession,
        view: flags.view,
      };
      const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      const report = await withStore(async (store) => {
        const ingested = await ingestFiles(store, paths, {
          imageStore: imageStoreDir(),
          fields: defined,
          sidecar: flags.sidecar,
          ...(flags.project ? { project: flags.project } : {}),
          onProgress: progressPrinter(),
        });
        await auditIngest(store, ingested);
        return { ...ingested, predictions: await queueIngestPredictions(store, ingested) };
      });
      if (flags.json) console.log(JSON.stringify(report, null, 2));
      else printReport(report);
      const total = report.new.length + report.known.length + report.rejected.length;
      if (total === 0) throw new Error(`no files found in ${paths.join(", ")}`);
      if (report.rejected.length === total) {
        process.stderr.write(`cxrlab ingest: every file (${total}) was rejected\n`);
        process.exitCode = 1;
      }
    });
}
