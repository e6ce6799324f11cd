export { hasCheckpoint } from "./checkpoint.ts";
export { type DatasetSources, type DatasetSplits, prepareDataset } from "./dataset.ts";
export { type TestPrediction, type TrainOptions, type TrainOutcome, train } from "./trainer.ts";
