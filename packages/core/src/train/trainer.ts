import { mkdir } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { type BackendInfo, type BackendName, describeBackend, selectBackend } from "../backend/select.ts";
import type { ExperimentConfig } from "../config.ts";
import {
  augmentsImages,
  describeSplitGrouping,
  fitFeaturewiseMean,
  type ImageRecord,
} from "../data/index.ts";
import { readEnv } from "../env.ts";
import { createForwardEngine, type EngineName } from "../inference/engine.ts";
import { folderMetricIntervals } from "../inference/folder-intervals.ts";
import { type EvaluationMetrics, evaluatePredictions, type MetricIntervals } from "../metrics/index.ts";
import { buildModelFromConfig } from "../model/build.ts";
import { seedDropoutLayers } from "../model/dropout.ts";
import { saveModel } from "../model/io.ts";
import { sliceModelFrom, sliceModelUntil } from "../model/slice.ts";
import type { ModelSummary } from "../model/summary.ts";
import { createRng, shuffleInPlace } from "../random.ts";
import { loadWeightSource } from "../weights/index.ts";
import {
  mutableWeights,
  restoreWeights,
  resumeFromCheckpoint,
  saveCheckpoint,
  snapshotWeights,
} from "./checkpoint.ts";
import { type DatasetSources, type DatasetSplits, prepareDataset } from "./dataset.ts";
import { cacheSplitFeatures, gatherFeatures, type SplitFeatures } from "./features.ts";
import { bestEpochIndex, type EpochRecord } from "./history.ts";
import { checkImages, createInputLoader } from "./inputs.ts";
import { OnnxTrainStep } from "./onnx-step.ts";
import { createOptimizer, setLearningRate } from "./optimizer.ts";
import { predictRecords } from "./predict.ts";
import { PhaseMeter, type ProgressListener } from "./progress.ts";
import { learningRateAt } from "./schedule.ts";
import { predictProbabilities, trainStep } from "./step.ts";
import { fitTemperature, foldTemperature } from "./temperature.ts";
import { WeightAverage } from "./weight-average.ts";

export interface TrainOptions {
  config: ExperimentConfig;
  data: DatasetSources;
  /** ImageNet weights (folder, model.json, .h5 or URL); null trains from a seeded random start. */
  weights: string | null;
  runDir: string;
  backend?: BackendName;
  /**
   * What runs the frozen prefix for the cache and, on cached features, the training steps of the
   * rest (default: `$CXRLAB_ENGINE`, else onnx when onnxruntime-node loads; the training steps
   * follow `$CXRLAB_TRAIN_ENGINE` first).
   */
  engine?: EngineName;
  resume?: boolean;
  skipBad?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Each finished epoch; on resume, the checkpointed ones again first. */
  onEpoch?: (record: EpochRecord) => void | Promise<void>;
  log?: (line: string) => void;
}

export interface TestPrediction {
  path: string;
  label: number;
  predicted: number;
  probabilities: number[];
}

export interface TrainOutcome {
  status: "succeeded" | "interrupted";
  runDir: string;
  config: ExperimentConfig;
  backend: BackendInfo;
  summary: ModelSummary;
  classNames: string[];
  counts: { train: number; validation: number; test: number };
  testSource: DatasetSplits["testSource"];
  splitGrouping: DatasetSplits["splitGrouping"];
  skipped: { path: string; reason: string }[];
  ignored: { path: string; reason: string }[];
  prefixCached: boolean;
  /** What ran the training steps, e.g. "onnxruntime 1.30.0 cpu, 2 threads" or "tfjs wasm". */
  trainEngine: string;
  history: EpochRecord[];
  bestEpoch: number | null;
  evaluation: EvaluationMetrics | null;
  /** Bootstrap intervals of the test metrics (seeded by the run's seed), grouped when GROUPS.tsv lists the images. */
  intervals: MetricIntervals | null;
  testPredictions: TestPrediction[];
  featurewiseMean: number[] | null;
  /** The temperature folded into the output layer (training.calibration), or null. */
  temperature: number | null;
  timings: Record<string, number>;
  modelDir: string | null;
}

/**
 * Trains the classifier as the config says and evaluates the best-val_loss weights on the test set.
 * With a frozen prefix and `cachePrefix`, the prefix runs once per image and cached view and only
 * the rest of the network is trained. After every epoch the trainable weights, the optimizer state
 * and the history are checkpointed, so an interrupted run resumes from its last finished epoch.
 */
export async function train(options: TrainOptions): Promise<TrainOutcome> {
  const { config, runDir, onProgress, signal } = options;
  const log = options.log ?? (() => {});
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = (timings[name] ?? 0) + (performance.now() - t0) / 1000;
    }
  };
  await mkdir(runDir, { recursive: true });

  const backend = await selectBackend(options.backend);
  log(describeBackend(backend));
  const splits = await prepareDataset(config, options.data);
  log(describeSplitGrouping(splits.splitGrouping));
  const { classNames } = splits;
  const rng = createRng(config.seed);

  const weights = options.weights
    ? await time("loadWeights", () => loadWeightSource(options.weights!))
    : undefined;
  const { model, freezeUntil, summary } = buildModelFromConfig(config, classNames.length, {
    rng: rng.fork(),
    ...(weights ? { weights } : {}),
  });
  if (options.weights) log(`weights: ${options.weights}`);

  const featurewiseMean =
    config.preprocessing.normalization === "featurewise"
      ? [...(await time("fitMean", () => fitFeaturewiseMean(splits.train, config.preprocessing)))]
      : null;
  const loader = createInputLoader({
    preprocessing: config.preprocessing,
    augmentation: config.augmentation,
    ...(featurewiseMean ? { featurewiseMean } : {}),
  });
  const skipped: TrainOutcome["skipped"] = [];
  const checked = async (records: ImageRecord[]) => {
    const result = await checkImages(records, loader, { skipBad: options.skipBad ?? false, onProgress });
    skipped.push(...result.bad);
    return result.good;
  };
  const trainSet = await time("check", () => checked(splits.train));
  const valSet = await time("check", () => checked(splits.validation));
  const testSet = await time("check", () => checked(splits.test));
  for (const s of skipped) log(`skipped unreadable image ${s.path}: ${s.reason}`);

  const trainable = mutableWeights(model, freezeUntil);
  const optimizer = createOptimizer(config.training.optimizer);
  const { weightAverage } = config.training;
  const resume = options.resume
    ? await resumeFromCheckpoint(runDir, trainable, optimizer, weightAverage > 0)
    : null;
  const history: EpochRecord[] = resume?.state.history ?? [];
  let best: tf.Tensor[] | null = resume?.best ?? null;
  let average: WeightAverage | null = null;
  if (resume?.average) {
    average = new WeightAverage(trainable, weightAverage, {
      values: resume.average,
      updates: resume.state.averaged ?? 0,
    });
    tf.dispose(resume.average);
  }
  if (resume) {
    log(`resuming after epoch ${resume.state.epochsDone}`);
    // The checkpoint is written before onEpoch runs, so a process killed in between left an epoch
    // its listener never saw: replay them all (listeners record by epoch number).
    for (const record of history) await options.onEpoch?.(record);
  }

  const cached = config.training.cachePrefix && freezeUntil > 0;
  const net = cached ? sliceModelFrom(model, freezeUntil) : model;
  const { augmentation, training } = config;
  const onnxStep = cached ? await createOnnxStep(net, config, options.engine, log) : null;
  // onnxruntime takes whole batches (batch-norm statistics over the batch, as Keras); tfjs-wasm
  // splits them to fit its 4 GB heap.
  const microBatchSize = training.microBatchSize ?? (onnxStep ? training.batchSize : cached ? 16 : 2);
  if (weightAverage > 0) average ??= new WeightAverage(trainable, weightAverage);
  /** Validation, the checkpoint and the saved model see the averaged weights when there are any. */
  const evaluated = <T>(fn: () => T | Promise<T>): Promise<T> =>
    average ? average.withAveraged(fn) : Promise.resolve(fn());
  const augments = augmentsImages(augmentation);
  let features: SplitFeatures | null = null;
  if (cached) {
    features = await time("cache", async () => {
      const prefix = await createForwardEngine(
        sliceModelUntil(model, freezeUntil),
        options.engine ? { engine: options.engine } : {},
      );
      log(`prefix engine: ${prefix.description}`);
      try {
        const sets = { train: trainSet, validation: valSet, test: testSet };
        return await cacheSplitFeatures(prefix, sets, loader, config, {
          ...(onProgress ? { onProgress } : {}),
          ...(signal ? { signal } : {}),
        });
      } finally {
        await prefix.dispose();
      }
    });
    log(
      `prefix cached: layers [0, ${freezeUntil}) once per image and view (${features.train.views.length} training views)`,
    );
  }

  const valProbabilities = async (epoch: number, epochRng: ReturnType<typeof createRng>) => {
    if (features) {
      const store = features.val;
      const x = gatherFeatures(store, range(store.count), () => epoch % store.views.length);
      const probs = predictProbabilities(net, x, training.batchSize);
      x.dispose();
      return probs;
    }
    const valRng = augments && augmentation.augmentValidation ? epochRng.fork() : undefined;
    return predictRecords(net, valSet, loader, {
      batchSize: microBatchSize,
      phase: "validate",
      ...(valRng ? { rng: valRng } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
  };

  let status: TrainOutcome["status"] = "succeeded";
  const labelsOf = (records: ImageRecord[]) => records.map((r) => r.label);
  try {
    for (let epoch = (resume?.state.epochsDone ?? 0) + 1; epoch <= training.epochs; epoch++) {
      const started = performance.now();
      const epochRng = createRng(config.seed * 1009 + epoch);
      // Dropout masks come from a stream of their own per epoch, so a resumed run repeats them.
      seedDropoutLayers(model, createRng(config.seed * 2003 + epoch + 1));
      const order = shuffleInPlace(range(trainSet.length), epochRng);
      const steps = training.dropRemainder
        ? Math.floor(order.length / training.batchSize)
        : Math.ceil(order.length / training.batchSize);
      const used = order.slice(0, Math.min(order.length, steps * training.batchSize));
      let stepIndex = (epoch - 1) * steps;
      const meter = new PhaseMeter(onProgress, {
        phase: "train",
        epoch,
        epochs: training.epochs,
        total: used.length,
      });
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      const step = async (x: tf.Tensor, labels: Int32Array) => {
        const { learningRate, weightDecay } = training.optimizer;
        setLearningRate(
          optimizer,
          learningRateAt(training.schedule, learningRate, stepIndex++, steps * training.epochs, steps),
        );
        const stepOptions = { labelSmoothing: training.labelSmoothing, weightDecay };
        const r = onnxStep
          ? await onnxStep.step(optimizer, x, labels, microBatchSize, stepOptions)
          : trainStep(net, optimizer, x, labels, microBatchSize, stepOptions);
        average?.update();
        x.dispose();
        lossSum += r.lossSum;
        correct += r.correct;
        seen += labels.length;
        meter.advance(labels.length, { loss: lossSum / seen, accuracy: correct / seen });
      };
      if (features) {
        const store = features.train;
        const viewRng = epochRng.fork();
        for (let s = 0; s < steps; s++) {
          signal?.throwIfAborted();
          const idx = used.slice(s * training.batchSize, (s + 1) * training.batchSize);
          const x = gatherFeatures(store, idx, () => viewRng.int(store.views.length));
          await step(
            x,
            Int32Array.from(idx, (i) => trainSet[i]!.label),
          );
        }
      } else {
        const records = used.map((i) => trainSet[i]!);
        for await (const batch of loader.batches(
          records,
          training.batchSize,
          augments ? epochRng.fork() : undefined,
        )) {
          const { x, labels } = batch;
          signal?.throwIfAborted();
          await step(x, labels);
        }
      }
      timings.train = (timings.train ?? 0) + meter.seconds;

      const t0 = performance.now();
      const probs = await evaluated(() => valProbabilities(epoch, epochRng));
      const val = evaluatePredictions({ probabilities: probs, labels: labelsOf(valSet), classNames });
      timings.validate = (timings.validate ?? 0) + (performance.now() - t0) / 1000;
      const seconds = (performance.now() - started) / 1000;
      const record: EpochRecord = {
        epoch,
        loss: lossSum / Math.max(seen, 1),
        accuracy: correct / Math.max(seen, 1),
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        seconds,
        imagesPerSecond: seen / meter.seconds,
      };
      history.push(record);
      const bestIndex = bestEpochIndex(history, training.checkpointMonitor);
      if (bestIndex === history.length - 1) {
        tf.dispose(best ?? []);
        best = average ? average.values.map((t) => tf.clone(t)) : snapshotWeights(trainable);
      }
      await saveCheckpoint(runDir, trainable, best!, optimizer, average?.values ?? null, {
        epochsDone: epoch,
        history,
        bestEpoch: bestIndex + 1,
        ...(average ? { averaged: average.count } : {}),
      });
      log(formatEpoch(record, training.epochs, bestIndex === history.length - 1));
      await options.onEpoch?.(record);
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
    status = "interrupted";
    log(`interrupted: ${history.length} epoch(s) finished and checkpointed; continue with --resume`);
  }

  const bestIndex = bestEpochIndex(history, training.checkpointMonitor);
  let evaluation: EvaluationMetrics | null = null;
  let intervals: MetricIntervals | null = null;
  let testPredictions: TestPrediction[] = [];
  let modelDir: string | null = null;
  let temperature: number | null = null;
  if (status === "succeeded" && best) {
    restoreWeights(trainable, best);
    /** The model's probabilities on a split's unaugmented images (view 0 of the cached features). */
    const probabilitiesOf = (part: "val" | "test", records: ImageRecord[]) => {
      if (features) {
        const store = features[part];
        const x = gatherFeatures(store, range(store.count), () => 0);
        const p = predictProbabilities(net, x, training.batchSize);
        x.dispose();
        return Promise.resolve(p);
      }
      return predictRecords(model, records, loader, {
        batchSize: microBatchSize,
        phase: part === "val" ? "validate" : "test",
        ...(onProgress ? { onProgress } : {}),
      });
    };
    if (training.calibration === "temperature" && valSet.length > 0) {
      const valProbs = await time("calibrate", () => probabilitiesOf("val", valSet));
      temperature = fitTemperature(valProbs, labelsOf(valSet), classNames.length);
      foldTemperature(model, temperature);
      log(`calibrated: temperature ${temperature.toFixed(3)} fitted on ${valSet.length} validation images`);
    }
    const probs = await time("test", () => probabilitiesOf("test", testSet));
    testPredictions = toTestPredictions(testSet, probs, classNames.length);
    if (testSet.length > 0) {
      const scored = { probabilities: probs, labels: labelsOf(testSet), classNames };
      evaluation = evaluatePredictions(scored);
      const folder = options.data.testDir ?? options.data.dataDir;
      const paths = testSet.map((r) => r.path);
      intervals = await time("intervals", () =>
        folderMetricIntervals({ ...scored, folder, paths }, { seed: config.seed }),
      );
    }
    modelDir = path.join(runDir, "model");
    await saveModel(modelDir, model, {
      architecture: config.architecture,
      imageSize: config.preprocessing.imageSize,
      classNames,
      preprocessing: config.preprocessing,
      ...(featurewiseMean ? { featurewiseMean } : {}),
      freezeUntil,
      config,
      ...(temperature !== null ? { temperature } : {}),
    });
  }
  tf.dispose(best ?? []);
  average?.dispose();
  await onnxStep?.dispose();
  if (net !== model) net.dispose?.();

  return {
    status,
    runDir,
    config,
    backend,
    summary,
    classNames,
    counts: { train: trainSet.length, validation: valSet.length, test: testSet.length },
    testSource: splits.testSource,
    splitGrouping: splits.splitGrouping,
    skipped,
    ignored: splits.ignored,
    prefixCached: cached,
    trainEngine: onnxStep?.description ?? `tfjs ${tf.getBackend()}`,
    history,
    bestEpoch: bestIndex >= 0 ? bestIndex + 1 : null,
    evaluation,
    intervals,
    testPredictions,
    featurewiseMean,
    temperature,
    timings,
    modelDir,
  };
}

/**
 * onnxruntime training steps for the part trained on cached features, unless the tfjs engine is
 * asked for. Where onnxruntime-node does not load, or the part has a layer the training graph
 * lacks, tfjs trains it and the log says why.
 */
async function createOnnxStep(
  net: tf.LayersModel,
  config: ExperimentConfig,
  engine: EngineName | undefined,
  log: (line: string) => void,
): Promise<OnnxTrainStep | null> {
  const env = readEnv();
  const requested = engine ?? env.CXRLAB_TRAIN_ENGINE ?? env.CXRLAB_ENGINE;
  const fail = (why: string) => {
    log(`train engine: tfjs ${tf.getBackend()} (${why})`);
    return null;
  };
  if (requested === "tfjs") return fail("asked for");
  const unsupported = OnnxTrainStep.unsupported(net);
  if (unsupported) return fail(`onnxruntime training lacks ${unsupported}`);
  try {
    const step = await OnnxTrainStep.create(net, {
      batchNormStatistics: config.training.batchNormStatistics,
    });
    log(`train engine: ${step.description}`);
    return step;
  } catch (err) {
    return fail(`onnxruntime: ${(err as Error).message}`);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function toTestPredictions(records: ImageRecord[], probs: Float32Array, k: number): TestPrediction[] {
  return records.map((r, i) => {
    const p = Array.from(probs.subarray(i * k, (i + 1) * k));
    return { path: r.path, label: r.label, predicted: argMax(p), probabilities: p };
  });
}

function argMax(values: number[]): number {
  return values.reduce((best, v, i) => (v > values[best]! ? i : best), 0);
}

function formatEpoch(r: EpochRecord, epochs: number, isBest: boolean): string {
  const f = (v: number) => v.toFixed(4);
  return (
    `epoch ${r.epoch}/${epochs}: loss ${f(r.loss)} accuracy ${f(r.accuracy)} ` +
    `val_loss ${f(r.valLoss)} val_accuracy ${f(r.valAccuracy)} (${r.seconds.toFixed(1)} s)${isBest ? " *best" : ""}`
  );
}
