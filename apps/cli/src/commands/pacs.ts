import { imageStoreDir } from "@cxrlab/core/paths";
import {
  addPacsSource,
  listPacsSources,
  type PacsAuthKind,
  type PacsSourceRecord,
  parseStudyDate,
  removePacsSource,
  requirePacsSource,
  type Store,
  withStore,
} from "@cxrlab/db";
import {
  type ConnectOptions,
  DEFAULT_MAX_MATCHES,
  DEFAULT_MODALITIES,
  DEFAULT_PAGE_SIZE,
  DEFAULT_TIMEOUT_SECONDS,
  endpointOf,
  type PullReport,
  type PushedReport,
  pullStudies,
  pushResults,
  syncSource,
} from "@cxrlab/pacs";
import { type Command, InvalidArgumentError } from "commander";
import { queueIngestPredictions } from "../arrival-predictions.ts";
import { auditCli, auditIngest } from "../cli-audit.ts";
import { positiveInt, positiveNumber } from "../options.ts";
import { createPrompt } from "../prompt.ts";
import { type ArrivalReport, printReport } from "./ingest.ts";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function envName(value: string): string {
  if (!ENV_NAME.test(value)) throw new InvalidArgumentError("expected an environment variable's name.");
  return value;
}

function dicomweb(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("expected an http:// or https:// URL (the DICOMweb root).");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidArgumentError("expected an http:// or https:// URL (the DICOMweb root).");
  if (url.username || url.password)
    throw new InvalidArgumentError(
      "put no credentials in the URL: use --user with --password-env/--password-stdin, or --token-env/--token-stdin.",
    );
  return value.replace(/\/+$/, "");
}

/** `--since 2024-01-31` as DICOM's YYYYMMDD. */
function sinceDate(value: string): string {
  try {
    return parseStudyDate(value, "--since").toISOString().slice(0, 10).replaceAll("-", "");
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function modalityList(value: string): string[] {
  const list = value.split(",").map((m) => m.trim().toUpperCase());
  if (list.some((m) => !/^[A-Z0-9]{1,16}$/.test(m)))
    throw new InvalidArgumentError("expected modalities such as CR,DX.");
  return [...new Set(list)];
}

/** How a source authenticates, for lists: never the secret, only where it is read from. */
function describeAuth(source: PacsSourceRecord): string {
  if (source.authKind === "none") return "no authentication";
  const set = source.secretEnv && process.env[source.secretEnv] ? "set" : "not set here";
  const secret = source.secretSealed ? "stored encrypted" : `in $${source.secretEnv} (${set})`;
  return source.authKind === "basic" ? `user ${source.username}, password ${secret}` : `token ${secret}`;
}

/** A source as lists show it: the sealed secret left out, only whether there is one. */
const listed = ({ secretSealed, ...source }: PacsSourceRecord) => ({
  ...source,
  secretStored: secretSealed !== null,
  auth: describeAuth({ ...source, secretSealed }),
});

/** The secret typed (not echoed) or piped as the first line of stdin; never on the command line. */
async function secretFromStdin(what: string): Promise<string> {
  const prompt = createPrompt();
  try {
    const secret = await prompt.ask(`${what}: `, true);
    if (!secret) throw new Error(`the ${what.toLowerCase()} read from stdin is empty`);
    return secret;
  } finally {
    prompt.close();
  }
}

interface ConnectFlags {
  source?: string;
  timeout: number;
  pageSize: number;
  maxMatches: number;
  modality: string[];
  json?: boolean;
}

const connectOptionsOf = (flags: Omit<ConnectFlags, "modality">): ConnectOptions => ({
  timeoutSeconds: flags.timeout,
  pageSize: flags.pageSize,
  maxMatches: flags.maxMatches,
});

/** --timeout, --page-size and --max-matches: how to talk to the PACS. */
const requestOptions = (command: Command) =>
  command
    .option(
      "--timeout <seconds>",
      "seconds each request to the PACS may take",
      positiveNumber,
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option(
      "--page-size <n>",
      "matches asked for per QIDO-RS search request (limit/offset paging; at most what the PACS answers at once)",
      positiveInt,
      DEFAULT_PAGE_SIZE,
    )
    .option(
      "--max-matches <n>",
      "a search matching more than this stops with an error",
      positiveInt,
      DEFAULT_MAX_MATCHES,
    );

function printPull(report: ArrivalReport<PullReport>): void {
  for (const s of report.studies)
    console.log(
      `study    ${s.studyInstanceUid}  ${s.studyDate ?? "undated"}  ${s.retrieved} retrieved, ${s.alreadyArchived} already archived${s.complete ? "" : "  (not complete)"}`,
    );
  printReport(report);
}

/** Exits non-zero when every retrieved instance was rejected. */
function failWhenAllRejected(report: PullReport): void {
  const total = report.new.length + report.known.length + report.rejected.length;
  if (total > 0 && report.rejected.length === total) {
    process.stderr.write(`cxrlab pacs: every instance retrieved (${total}) was rejected\n`);
    process.exitCode = 1;
  }
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function auditPull(
  store: Store,
  action: string,
  source: PacsSourceRecord,
  report: PullReport,
  extra = {},
) {
  await auditIngest(store, report, { source: source.name });
  await auditCli(store, {
    action,
    targetType: "pacs-source",
    targetId: source.name,
    projectId: source.projectId,
    details: {
      url: source.url,
      studies: report.studies.length,
      new: report.new.length,
      known: report.known.length,
      rejected: report.rejected.length,
      ...extra,
    },
  });
}

export function registerPacsCommand(program: Command): void {
  const pacs = program
    .command("pacs")
    .description(
      "the hospital's PACS over DICOMweb: sources, pull and sync into the archive, push results back",
    );

  pacs
    .command("add")
    .description(
      "add a DICOMweb source (its secret read from an environment variable, or stored encrypted; never shown)",
    )
    .argument("<name>", "a name for the source")
    .requiredOption("--url <url>", "the DICOMweb root, e.g. http://pacs:8042/dicom-web", dicomweb)
    .option("--user <name>", "HTTP Basic user name (with --password-env or --password-stdin)")
    .option("--password-env <var>", "environment variable that holds the Basic password", envName)
    .option("--password-stdin", "read the Basic password from the first line of stdin and store it encrypted")
    .option("--token-env <var>", "environment variable that holds a Bearer token", envName)
    .option("--token-stdin", "read a Bearer token from the first line of stdin and store it encrypted")
    .option("--project <name>", "the project patients pulled from it join (default: default)")
    .option("--json", "print JSON")
    .action(
      async (
        name: string,
        flags: {
          url: string;
          user?: string;
          passwordEnv?: string;
          passwordStdin?: boolean;
          tokenEnv?: string;
          tokenStdin?: boolean;
          project?: string;
          json?: boolean;
        },
      ) => {
        const token = Boolean(flags.tokenEnv) || Boolean(flags.tokenStdin);
        const password = Boolean(flags.passwordEnv) || Boolean(flags.passwordStdin);
        if (token && (flags.user || password))
          throw new Error(
            "give either a token (--token-env/--token-stdin) or --user with a password, not both",
          );
        if (flags.tokenEnv && flags.tokenStdin)
          throw new Error("give --token-env or --token-stdin, not both");
        if (flags.passwordEnv && flags.passwordStdin)
          throw new Error("give --password-env or --password-stdin, not both");
        if (Boolean(flags.user) !== password)
          throw new Error("--user goes with --password-env or --password-stdin");
        const authKind: PacsAuthKind = token ? "bearer" : flags.user ? "basic" : "none";
        const secret = flags.tokenStdin
          ? await secretFromStdin("Token")
          : flags.passwordStdin
            ? await secretFromStdin("Password")
            : null;
        const source = await withStore(async (store) => {
          const added = await addPacsSource(store, {
            name,
            url: flags.url,
            authKind,
            username: flags.user ?? null,
            secretEnv: flags.tokenEnv ?? flags.passwordEnv ?? null,
            secret,
            project: flags.project,
          });
          await auditCli(store, {
            action: "pacs.source.add",
            targetType: "pacs-source",
            targetId: added.name,
            projectId: added.projectId,
            details: {
              url: added.url,
              authKind,
              secretEnv: added.secretEnv,
              secretStored: added.secretSealed !== null,
            },
          });
          return added;
        });
        if (flags.json) console.log(JSON.stringify(listed(source), null, 2));
        else
          console.log(
            `added PACS ${source.name}: ${source.url} (${describeAuth(source)}), project ${source.project}`,
          );
      },
    );

  pacs
    .command("list")
    .description("the DICOMweb sources, with how each authenticates and its sync watermark")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const sources = await withStore(listPacsSources);
      if (flags.json) {
        console.log(JSON.stringify(sources.map(listed), null, 2));
        return;
      }
      for (const s of sources)
        console.log(
          `${s.name.padEnd(16)} ${s.url}  ${describeAuth(s)}  project ${s.project}  synced up to ${s.watermark ?? "never"}`,
        );
      console.log(`${sources.length} source(s)`);
    });

  pacs
    .command("remove")
    .description("remove a DICOMweb source (the archive keeps what was pulled from it)")
    .argument("<name>", "the source's name")
    .option("--json", "print JSON")
    .action(async (name: string, flags: { json?: boolean }) => {
      const removed = await withStore(async (store) => {
        const gone = await removePacsSource(store, name);
        if (!gone) throw new Error(`no PACS source named "${name}" (cxrlab pacs list)`);
        await auditCli(store, {
          action: "pacs.source.remove",
          targetType: "pacs-source",
          targetId: gone.name,
          projectId: gone.projectId,
          details: { url: gone.url },
        });
        return gone;
      });
      if (flags.json) console.log(JSON.stringify({ removed: removed.name }, null, 2));
      else console.log(`removed PACS ${removed.name}`);
    });

  const connectOptions = (command: Command) =>
    requestOptions(
      command
        .option("--source <name>", "the source (default: the only one)")
        .option(
          "--modality <list>",
          `modalities to take (default: ${DEFAULT_MODALITIES.join(",")})`,
          modalityList,
          [...DEFAULT_MODALITIES],
        ),
    ).option("--json", "print JSON");

  connectOptions(
    pacs
      .command("pull")
      .description("retrieve a patient's studies (QIDO-RS, WADO-RS) into the archive, as cxrlab ingest would")
      .requiredOption("--patient <id>", "PatientID on the PACS")
      .option("--since <date>", "only studies of this day or later (YYYY-MM-DD)", sinceDate),
  ).action(async (flags: ConnectFlags & { patient: string; since?: string }) => {
    const report = await withStore(async (store) => {
      const source = await requirePacsSource(store, flags.source);
      const endpoint = endpointOf(source, connectOptionsOf(flags));
      const pulled = await pullStudies(store, endpoint, source, {
        patientId: flags.patient,
        since: flags.since,
        modalities: flags.modality,
        imageStore: imageStoreDir(),
        onProgress: progress,
      });
      await auditPull(store, "pacs.pull", source, pulled, { patientId: flags.patient });
      return { ...pulled, predictions: await queueIngestPredictions(store, pulled) };
    });
    if (flags.json) console.log(JSON.stringify(report, null, 2));
    else printPull(report);
    failWhenAllRejected(report);
  });

  connectOptions(
    pacs
      .command("sync")
      .description("pull every study new since the source's last sync (all sources without --source)"),
  ).action(async (flags: ConnectFlags) => {
    const reports = await withStore(async (store) => {
      const sources = flags.source
        ? [await requirePacsSource(store, flags.source)]
        : await listPacsSources(store);
      if (!sources.length) throw new Error("no PACS source: add one with cxrlab pacs add");
      const done = [];
      for (const source of sources) {
        const report = await syncSource(store, endpointOf(source, connectOptionsOf(flags)), source, {
          modalities: flags.modality,
          imageStore: imageStoreDir(),
          onProgress: progress,
        });
        await auditPull(store, "pacs.sync", source, report, {
          watermarkBefore: report.watermarkBefore,
          watermarkAfter: report.watermarkAfter,
        });
        done.push({ ...report, predictions: await queueIngestPredictions(store, report) });
      }
      return done;
    });
    if (flags.json) console.log(JSON.stringify(flags.source ? reports[0] : reports, null, 2));
    else
      for (const report of reports) {
        console.log(
          `PACS ${report.source}: synced up to ${report.watermarkAfter ?? "never (no dated study)"}`,
        );
        printPull(report);
      }
    for (const report of reports) failWhenAllRejected(report);
  });

  requestOptions(
    pacs
      .command("push")
      .description(
        "store a run's results for a patient (DICOM SR, STOW-RS) into the studies the images came from",
      )
      .requiredOption("--run <id>", "the run whose predictions to send", positiveInt)
      .requiredOption("--patient <id>", "patient ID")
      .option("--issuer <issuer>", "issuer of the patient ID (needed when several issuers use it)")
      .option("--source <name>", "the source (default: the only one)")
      .option(
        "--gradcam",
        "also store each image's Grad-CAM overlay of the predicted class (DICOM Secondary Capture, not for diagnosis)",
      ),
  )
    .option("--json", "print JSON")
    .action(
      async (
        flags: Omit<ConnectFlags, "modality"> & {
          run: number;
          patient: string;
          issuer?: string;
          gradcam?: boolean;
        },
      ) => {
        const report = await withStore(async (store) => {
          const source = await requirePacsSource(store, flags.source);
          const pushed = await pushResults(store, endpointOf(source, connectOptionsOf(flags)), {
            runId: flags.run,
            patientId: flags.patient,
            issuer: flags.issuer,
            gradCam: flags.gradcam,
          });
          await auditCli(store, {
            action: "pacs.push",
            targetType: "patient",
            targetId: String(pushed.patientRow),
            projectId: pushed.projectId,
            details: {
              source: source.name,
              url: source.url,
              runId: flags.run,
              pushed: pushed.pushed.map((p) => p.sopInstanceUid),
              alreadyInPacs: pushed.alreadyInPacs.length,
            },
          });
          return pushed;
        });
        if (!report.pushed.length && !report.alreadyInPacs.length && !report.skipped.length) {
          throw new Error(
            `run ${flags.run} has no prediction for patient ${report.patientId}: run cxrlab predict --patient ${report.patientId} --model ${flags.run} first`,
          );
        }
        if (flags.json) {
          console.log(JSON.stringify(report, null, 2));
          return;
        }
        const what = (p: PushedReport) => (p.kind === "sr" ? "SR" : "Grad-CAM SC");
        for (const p of report.pushed)
          console.log(
            `pushed   image ${p.imageId}  ${p.predictedClass}  ${what(p)} ${p.sopInstanceUid} into study ${p.studyInstanceUid}`,
          );
        for (const p of report.alreadyInPacs)
          console.log(`already  image ${p.imageId}  ${what(p)} ${p.sopInstanceUid} is in the PACS`);
        for (const s of report.skipped) console.log(`skipped  image ${s.imageId}: ${s.reason}`);
        console.log(
          `${report.pushed.length} pushed, ${report.alreadyInPacs.length} already in PACS ${report.source}, ${report.skipped.length} skipped`,
        );
      },
    );
}
