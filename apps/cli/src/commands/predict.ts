import path from "node:path";
import type { BackendName } from "@cxrlab/core/backend";
import type { PrecisionRequest } from "@cxrlab/core/inference";
import { withStore } from "@cxrlab/db";
import { createProgressBar, runPrediction, useBackend } from "@cxrlab/queue/runners";
import type { Command } from "commander";
import { projectModelForPredict } from "../default-model.ts";
import { writeGradCamOverlays } from "../gradcam-overlays.ts";
import { backendName, positiveInt } from "../options.ts";
import { type PatientPredictResult, predictPatient } from "../patient-predict.ts";
import { precisionOption } from "./evaluate.ts";

interface PredictFlags {
  model?: string;
  project?: string;
  patient?: string;
  issuer?: string;
  batchSize: number;
  backend?: BackendName;
  skipBad?: boolean;
  json?: boolean;
  gradcam?: boolean;
  gradcamDir?: string;
  precision?: PrecisionRequest;
}

export function registerPredictCommand(program: Command): void {
  program
    .command("predict")
    .description("classify X-ray images with a trained model")
    .argument("[images...]", "image files or folders (not with --patient)")
    .option(
      "--model <run>",
      "run folder (or its model/ folder); with --patient also a run id (default: the project's default model)",
    )
    .option(
      "--project <name>",
      "without --model, use this project's default model (default: \"default\"; with --patient: the patient's project)",
    )
    .option("--patient <id>", "predict the archived images of this patient not yet predicted by the model")
    .option("--issuer <issuer>", "issuer of the --patient ID")
    .option("--batch-size <n>", "images per forward pass", positiveInt, 8)
    .option("--backend <name>", "force a TensorFlow.js backend", backendName)
    .option("--skip-bad", "leave unreadable images out instead of stopping")
    .addOption(precisionOption())
    .option("--gradcam", "also write a Grad-CAM overlay of the predicted class for each image")
    .option("--gradcam-dir <dir>", "folder for the overlays (default: <model>/gradcam)")
    .option("--json", "print JSON")
    .action(async (images: string[], flags: PredictFlags) => {
      if (flags.patient !== undefined) {
        if (images.length) throw new Error("give either images or --patient, not both");
        await useBackend(flags.backend);
        const { patient: patientId, issuer, model, project, batchSize } = flags;
        const result = await withStore((store) =>
          predictPatient(store, { patientId, issuer, model, project, batchSize }),
        );
        printPatientPredictions(result, flags.json ?? false);
        return;
      }
      if (!images.length) throw new Error("no images given (or use --patient)");
      const model =
        flags.model ??
        (await withStore(
          async (store) => (await projectModelForPredict(store, flags.project)).modelLocation,
        ));
      const {
        backend,
        runId: recorded,
        result,
      } = await runPrediction({
        ...flags,
        model,
        inputs: images,
        onProgress: createProgressBar(),
      });
      const gradcamDir = flags.gradcamDir ?? path.join(model, "gradcam");
      const overlays = flags.gradcam
        ? await writeGradCamOverlays(result.modelDir, result.predictions, gradcamDir)
        : undefined;
      if (flags.json) {
        const predictions = overlays
          ? result.predictions.map((p) => ({ ...p, gradcam: overlays.get(p.path) }))
          : result.predictions;
        const gradcam = overlays ? { gradcamDir: path.resolve(gradcamDir) } : {};
        console.log(JSON.stringify({ backend, runId: recorded, ...result, predictions, ...gradcam }));
        return;
      }
      console.log(`model: ${result.modelDir} (run by ${result.engine}; ${result.precisionReason})`);
      for (const p of result.predictions) {
        const probs = result.classNames
          .map((c) => `${c} ${(p.probabilities[c]! * 100).toFixed(1)}%`)
          .join("  ");
        console.log(`${p.path}\n  ${p.predictedClass} (${(p.confidence * 100).toFixed(1)}%)   ${probs}`);
        const overlay = overlays?.get(p.path);
        if (overlay) console.log(`  Grad-CAM: ${overlay}`);
      }
      for (const s of result.skipped) console.log(`skipped ${s.path}: ${s.reason}`);
    });
}

function printPatientPredictions(result: PatientPredictResult, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const who = `patient ${result.patientId}${result.issuer ? ` (${result.issuer})` : ""}`;
  console.log(`run ${result.runId} (${result.runName}), chosen by ${result.chosen}`);
  for (const p of result.predictions) {
    console.log(
      `image ${p.imageId}  ${p.predictedClass} (${(p.confidence * 100).toFixed(1)}%)  heatmap ${p.heatmap}`,
    );
  }
  console.log(
    `${who}: ${result.predictions.length} image(s) predicted and recorded, ${result.alreadyPredicted} already predicted by this run`,
  );
}
