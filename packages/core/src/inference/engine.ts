import * as tf from "@tensorflow/tfjs";
import { readEnv } from "../env.ts";
import {
  loadOnnxRuntime,
  type OnnxPrecision,
  OnnxSession,
  type OnnxSessionOptions,
} from "../onnx/session.ts";

export const ENGINES = ["onnx", "tfjs"] as const;
export type EngineName = (typeof ENGINES)[number];

/** Runs a model forward in inference mode; callers need not know on what. */
export interface ForwardEngine {
  readonly name: EngineName;
  /** What runs it, e.g. "onnxruntime 1.30.0 cpu, 2 threads" or "tfjs wasm". */
  readonly description: string;
  /** fp32, or int8 for an onnxruntime engine on an int8 export (`file` and `precision` options). */
  readonly precision: OnnxPrecision;
  /** Per-example output shape. */
  readonly outputShape: number[];
  /** Outputs for a batch of NHWC inputs, row-major. Leaves `x` to the caller. */
  run(x: tf.Tensor): Promise<Float32Array>;
  /** Frees the engine's own resources (never the tfjs model it was made from). */
  dispose(): Promise<void>;
}

export interface EngineOptions extends OnnxSessionOptions {
  /** Default: `$CXRLAB_ENGINE`, else onnx when onnxruntime-node loads, else tfjs. */
  engine?: EngineName;
}

/**
 * A forward engine for `model`: onnxruntime on an ONNX export of it (much faster on CPU), or the
 * model itself on the active tfjs backend. Only for fixed weights: an ONNX export is a snapshot.
 */
export async function createForwardEngine(
  model: tf.LayersModel,
  options: EngineOptions = {},
): Promise<ForwardEngine> {
  const requested = options.engine ?? readEnv().CXRLAB_ENGINE;
  if (requested === "tfjs") {
    if (options.precision === "int8")
      throw new Error("int8 runs on onnxruntime only, not on the tfjs engine");
    return tfjsEngine(model);
  }
  if (requested === undefined) {
    const loads = await loadOnnxRuntime().then(
      () => true,
      () => false,
    );
    if (!loads && options.precision !== "int8") return tfjsEngine(model);
  }
  return onnxEngine(model, options);
}

export function tfjsEngine(model: tf.LayersModel): ForwardEngine {
  return {
    name: "tfjs",
    description: `tfjs ${tf.getBackend()}`,
    precision: "fp32",
    outputShape: (model.outputs[0]!.shape as number[]).slice(1),
    async run(x) {
      const y = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
      try {
        return (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    },
    async dispose() {},
  };
}

async function onnxEngine(model: tf.LayersModel, options: OnnxSessionOptions): Promise<ForwardEngine> {
  const session = await OnnxSession.create(model, options);
  return {
    name: "onnx",
    description: session.describe(),
    precision: session.precision,
    outputShape: session.model.outputShape,
    async run(x) {
      return session.run((await x.data()) as Float32Array, x.shape[0]!);
    },
    dispose: () => session.release(),
  };
}
