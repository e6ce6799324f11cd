import type { BackendName } from "@cxrlab/core/backend";
import { ARCHITECTURES, type Architecture } from "@cxrlab/core/config";
import type { CalibrationMethod } from "@cxrlab/core/inference";
import { MAX_ACCURACY_DROP, MIN_AGREEMENT, quantizeModel } from "@cxrlab/core/inference";
import { buildModelFromConfig } from "@cxrlab/core/model";
import { PRESET_NAMES, type PresetName, resolveConfig } from "@cxrlab/core/presets";
import { createProgressBar, existingDir, useBackend } from "@cxrlab/queue/runners";
import { type Command, Option } from "commander";
import { backendName, freezeUntil, positiveInt } from "../options.ts";

interface SummaryFlags {
  preset: PresetName;
  architecture?: Architecture;
  imageSize?: number;
  freezeUntil?: number | "all";
  classes: number;
  layers?: boolean;
  backend?: BackendName;
  json?: boolean;
}

interface QuantizeFlags {
  model: string;
  test: string;
  calibration?: string;
  images: number;
  method: CalibrationMethod;
  batchSize: number;
  threads?: number;
  skipBad?: boolean;
  backend?: BackendName;
  json?: boolean;
}

export function registerModelCommand(program: Command): void {
  const model = program.command("model").description("inspect model architectures, quantize trained models");
  model
    .command("quantize")
    .description(
      `write an int8 onnxruntime version of a trained model, calibrated on training images, and record its check on a test folder (predict and evaluate use int8 once accuracy drops at most ${MAX_ACCURACY_DROP * 100} points and ${MIN_AGREEMENT * 100}% of predictions agree with fp32)`,
    )
    .requiredOption("--model <runDir>", "run folder (or its model/ folder)")
    .requiredOption("--test <dir>", "labelled folder (one sub-folder per class) the check evaluates on")
    .option("--calibration <dir>", "labelled folder to calibrate on (default: the run's training folder)")
    .option("--images <n>", "calibration images, spread over the classes", positiveInt, 48)
    .addOption(
      new Option("--method <m>", "activation ranges: percentile (all but 1 in 100,000 values) or min/max")
        .choices(["percentile", "minmax"])
        .default("percentile"),
    )
    .option("--batch-size <n>", "images per forward pass", positiveInt, 8)
    .option("--threads <n>", "onnxruntime intra-op threads (default: every core)", positiveInt)
    .option("--skip-bad", "leave unreadable test images out instead of stopping")
    .option("--backend <name>", "force a TensorFlow.js backend (decoding and loading)", backendName)
    .option("--json", "print the recorded check as JSON")
    .action(async (flags: QuantizeFlags) => {
      existingDir("--model", flags.model);
      existingDir("--test", flags.test);
      if (flags.calibration) existingDir("--calibration", flags.calibration);
      await useBackend(flags.backend);
      const log = flags.json ? () => {} : (line: string) => console.error(line);
      const result = await quantizeModel({
        model: flags.model,
        test: flags.test,
        images: flags.images,
        method: flags.method,
        batchSize: flags.batchSize,
        skipBad: flags.skipBad ?? false,
        onProgress: createProgressBar(),
        log,
        ...(flags.calibration ? { calibration: flags.calibration } : {}),
        ...(flags.threads ? { threads: flags.threads } : {}),
      });
      const c = result.check;
      if (flags.json) {
        console.log(JSON.stringify({ ...c, int8File: result.int8File, checkFile: result.checkFile }));
        return;
      }
      const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
      console.log(`int8 model: ${result.int8File}`);
      console.log(
        `calibrated on ${c.calibration.images} images of ${c.calibration.folder} (${c.calibration.method})`,
      );
      console.log(`test: ${c.test.folder} (${c.images} images)`);
      console.log(
        `accuracy fp32 ${pct(c.fp32Accuracy)}, int8 ${pct(c.int8Accuracy)} (${c.accuracyChange >= 0 ? "+" : ""}${(c.accuracyChange * 100).toFixed(2)} points)`,
      );
      console.log(
        `agreement ${pct(c.agreement)}, largest probability difference ${c.maxProbabilityDifference.toFixed(4)}`,
      );
      for (const s of c.speed) {
        console.log(
          `batch ${s.batch}: fp32 ${s.fp32MsPerImage.toFixed(1)} ms/image, int8 ${s.int8MsPerImage.toFixed(1)} ms/image (${s.speedup.toFixed(2)}x)`,
        );
      }
      console.log(
        c.passed
          ? `check passed: predict and evaluate now run this model at int8 (--precision fp32 forces fp32); recorded in ${result.checkFile}`
          : `check failed (${c.failures.join("; ")}): predict and evaluate keep fp32; recorded in ${result.checkFile}`,
      );
    });
  model
    .command("summary")
    .description("layers and parameter counts of the network a config builds")
    .addOption(
      new Option("--preset <name>", "configuration to build").choices(PRESET_NAMES).default("reference"),
    )
    .addOption(new Option("--architecture <name>", "DenseNet variant").choices(ARCHITECTURES))
    .option("--image-size <px>", "input size", positiveInt)
    .option("--freeze-until <n|all>", "freeze layers [0, n)", freezeUntil)
    .option("--classes <n>", "number of output classes", positiveInt, 3)
    .option("--layers", "list every layer")
    .option("--backend <name>", "force a TensorFlow.js backend", backendName)
    .option("--json", "print JSON")
    .action(async (flags: SummaryFlags) => {
      const config = resolveConfig(flags.preset, {
        ...(flags.architecture ? { architecture: flags.architecture } : {}),
        preprocessing: flags.imageSize ? { imageSize: flags.imageSize } : {},
        training: flags.freezeUntil !== undefined ? { freezeUntil: flags.freezeUntil } : {},
      });
      await useBackend(flags.backend);
      const { model: net, freezeUntil: n, summary } = buildModelFromConfig(config, flags.classes);
      const layers = net.layers.map((l, i) => ({
        index: i,
        name: l.name,
        type: l.getClassName(),
        outputShape: (l.outputShape as number[]).slice(1),
        params: l.countParams(),
        trainable: l.trainable,
      }));
      if (flags.json) {
        console.log(JSON.stringify(flags.layers ? { ...summary, layerList: layers } : summary));
        return;
      }
      if (flags.layers) {
        for (const l of layers) {
          console.log(
            `${String(l.index).padStart(4)}  ${l.name.padEnd(28)} ${l.type.padEnd(22)} ` +
              `${JSON.stringify(l.outputShape).padEnd(16)} ${String(l.params).padStart(9)}${l.trainable ? "" : "  frozen"}`,
          );
        }
      }
      const fmt = (v: number) => v.toLocaleString("en-US");
      console.log(`${summary.architecture} at ${summary.imageSize}px, ${summary.layers} layers`);
      console.log(`frozen layers [0, ${n}); first trainable: ${summary.firstTrainableLayer ?? "none"}`);
      console.log(`Total params: ${fmt(summary.totalParams)}`);
      console.log(`Trainable params: ${fmt(summary.trainableParams)}`);
      console.log(`Non-trainable params: ${fmt(summary.nonTrainableParams)}`);
    });
}
