import type { BackendName } from "@cxrlab/core/backend/select";
import { ARCHITECTURES, type Architecture } from "@cxrlab/core/config";
import { buildDenseNet } from "@cxrlab/core/model/densenet";
import { freezeLayers } from "@cxrlab/core/model/freeze";
import { resolveFreezeUntil, summarizeModel } from "@cxrlab/core/model/summary";
import { PRESET_NAMES, type PresetName, resolveConfig } from "@cxrlab/core/presets";
import { type Command, Option } from "commander";
import { useBackend } from "../backend.ts";
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

export function registerModelCommand(program: Command): void {
  const model = program.command("model").description("inspect model architectures");
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
      const net = buildDenseNet({
        architecture: config.architecture,
        imageSize: config.preprocessing.imageSize,
        numClasses: flags.classes,
        head: config.head,
      });
      const n = resolveFreezeUntil(config.training.freezeUntil, config.architecture, net.layers.length);
      freezeLayers(net, n);
      const summary = summarizeModel(net, config.architecture, config.preprocessing.imageSize, n);
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
