import { existsSync } from "node:fs";
import path from "node:path";
import {
  getPatientHistory,
  latestRunWithModel,
  type PatientHistory,
  type PromotionRecord,
  patientImagesWithoutPrediction,
  projectDefaultModel,
  runModel,
  type Store,
} from "@cxrlab/db";
import {
  type ArchivedImagePrediction,
  createProgressBar,
  predictArchivedImages,
  runIdOfModel,
} from "@cxrlab/queue/runners";
import { auditCli } from "./cli-audit.ts";
import { describeDefaultModel, requireDefaultModel } from "./default-model.ts";

export interface PatientPredictRequest {
  patientId: string;
  issuer?: string;
  /**
   * A run id or a run folder; default: the default model of `project`, else (no `project`) the
   * default model of the patient's project, else that project's latest succeeded run with a model.
   */
  model?: string;
  /** Project name whose default model to use when no model is given. */
  project?: string;
  batchSize: number;
}

export interface PatientPredictResult {
  patientId: string;
  issuer: string;
  runId: number;
  runName: string;
  /** How the run was chosen (for a project's default model: which, promoted by whom and when). */
  chosen: string;
  alreadyPredicted: number;
  predictions: ArchivedImagePrediction[];
}

type Patient = PatientHistory["patient"];

/** --model, else the default model of --project (required then), else the patient's project's model. */
async function chooseRun(store: Store, request: PatientPredictRequest, patient: Patient) {
  if (request.model !== undefined) return namedRun(store, request.model);
  if (request.project !== undefined) return promotedRun(await requireDefaultModel(store, request.project));
  return patientProjectRun(store, patient);
}

function promotedRun(promotion: PromotionRecord) {
  const { runId: id, runName: name, modelLocation: modelDir } = promotion;
  return { id, name, modelDir, chosen: describeDefaultModel(promotion) };
}

/**
 * The default model of the patient's project, else its latest succeeded run with a model; never
 * another project's, which was trained (and may be promoted) for other data and other people.
 */
async function patientProjectRun(store: Store, patient: Patient) {
  const who = `patient ${patient.patientId}`;
  if (patient.projectId === null) throw new Error(`${who} belongs to no project: pass --project or --model`);
  const promotion = await projectDefaultModel(store, patient.projectId);
  if (promotion) return promotedRun(promotion);
  const { name: project } = await store.prisma.project.findUniqueOrThrow({
    where: { id: patient.projectId },
    select: { name: true },
  });
  const latest = await latestRunWithModel(store, patient.projectId);
  if (!latest) {
    throw new Error(
      `project "${project}" of ${who} has no default model and no succeeded run with a model: train or promote one there, or pass --model`,
    );
  }
  const { modelLocation: modelDir, ...run } = latest;
  return { ...run, modelDir, chosen: `latest succeeded run with a model in project "${project}"` };
}

/** The run named by --model: its id, or its run folder (or the model folder in it). */
async function namedRun(store: Store, model: string) {
  if (/^\d+$/.test(model)) {
    const run = await runModel(store, Number(model));
    if (!run) throw new Error(`--model ${model}: no run ${model} in the store`);
    if (!run.modelLocation) throw new Error(`--model ${model}: run ${model} has no saved model`);
    return { id: Number(model), name: run.name, modelDir: run.modelLocation, chosen: "--model" as const };
  }
  const modelFolder = existsSync(path.join(model, "model")) ? path.join(model, "model") : model;
  const id = await runIdOfModel(path.resolve(modelFolder));
  const run = id === null ? null : await runModel(store, id);
  if (id === null || !run) {
    throw new Error(
      `--model ${model}: not the folder of a run in the store, so predictions could not be recorded`,
    );
  }
  return { id, name: run.name, modelDir: model, chosen: "--model" as const };
}

/**
 * Runs the chosen model on the patient's archived images it has not predicted yet, records the
 * predictions under its run and caches the Grad-CAM heatmap of each predicted class.
 */
export async function predictPatient(
  store: Store,
  request: PatientPredictRequest,
): Promise<PatientPredictResult> {
  const history = await getPatientHistory(store, { patientId: request.patientId, issuer: request.issuer });
  if (!history)
    throw new Error(
      `no patient ${request.patientId}${request.issuer ? ` (issuer ${request.issuer})` : ""} in the archive`,
    );
  const run = await chooseRun(store, request, history.patient);
  process.stderr.write(`model: run ${run.id} (${run.name}), ${run.chosen}\n`);
  await auditCli(store, {
    action: "patient.predict",
    targetType: "patient",
    targetId: String(history.patient.id),
    projectId: history.patient.projectId,
    details: { runId: run.id },
  });
  const images = await patientImagesWithoutPrediction(store, history.patient.id, run.id);
  const total = history.studies.reduce((n, s) => n + s.images.length, 0);
  return {
    patientId: history.patient.patientId,
    issuer: history.patient.issuer,
    runId: run.id,
    runName: run.name,
    chosen: run.chosen,
    alreadyPredicted: total - images.length,
    predictions: await predictArchivedImages(store, run, images, {
      batchSize: request.batchSize,
      onProgress: createProgressBar(),
    }),
  };
}
