import type { Command } from "commander";
import { positiveInt } from "../options.ts";
import { REMOTE_OPTION, withRecords } from "../records.ts";

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "undated");

export function registerPatientsCommand(program: Command): void {
  const patients = program.command("patients").description("look up patients in the archive");

  patients
    .command("list")
    .description("patients with their study and image counts")
    .option("--q <text>", "part of the patient ID or name")
    .option("--limit <n>", "at most n patients", positiveInt, 100)
    .option("--json", "print JSON")
    .option(...REMOTE_OPTION)
    .action(async (flags: { q?: string; limit: number; json?: boolean; remote?: boolean }) => {
      const page = await withRecords(flags.remote, (records) => records.listPatients(flags.q, flags.limit));
      if (flags.json) {
        console.log(JSON.stringify(page, null, 2));
        return;
      }
      for (const p of page.items) {
        console.log(
          `${p.patientId.padEnd(16)} ${(p.issuer || "-").padEnd(12)} ${(p.name ?? "").padEnd(24)} ` +
            `${String(p.studyCount).padStart(3)} studies ${String(p.imageCount).padStart(4)} images  last ${day(p.lastStudyDate)}`,
        );
      }
      console.log(`${page.items.length} of ${page.total} patient(s)`);
    });

  patients
    .command("show")
    .description("a patient's timeline: studies by date, each image with every model's prediction")
    .argument("<id>", "patient ID")
    .option("--issuer <issuer>", "issuer of the patient ID (needed when several issuers use it)")
    .option("--json", "print JSON")
    .option(...REMOTE_OPTION)
    .action(async (patientId: string, flags: { issuer?: string; json?: boolean; remote?: boolean }) => {
      const history = await withRecords(flags.remote, (records) =>
        records.patientHistory(patientId, flags.issuer),
      );
      if (!history) {
        throw new Error(
          `no patient ${patientId}${flags.issuer ? ` (issuer ${flags.issuer})` : ""} in the archive`,
        );
      }
      if (flags.json) {
        console.log(JSON.stringify(history, null, 2));
        return;
      }
      const p = history.patient;
      const details = [p.issuer && `issuer ${p.issuer}`, p.name, p.birthDate && `born ${p.birthDate}`, p.sex];
      console.log(`patient ${p.patientId}  ${details.filter(Boolean).join("  ")}`);
      for (const s of history.studies) {
        const extra = [s.accessionNumber && `accession ${s.accessionNumber}`, s.description].filter(Boolean);
        console.log(`\n${day(s.studyDate)}  study ${s.studyInstanceUid}  ${extra.join("  ")}`);
        for (const image of s.images) {
          console.log(
            `  image ${image.id}  ${image.viewPosition ?? "-"}  ${image.width}x${image.height}  ${image.sourceFormat ?? ""}`,
          );
          for (const pred of image.predictions) {
            console.log(
              `    run ${pred.runId} ${pred.runName}: ${pred.predictedLabel} ${(pred.confidence * 100).toFixed(1)}%`,
            );
          }
        }
      }
    });
}
