export {
  type Agreement,
  type AgreementCase,
  agreementWithReaders,
  type ClassAgreement,
  type Consensus,
  type ReaderLabel,
  readersConsensus,
} from "./agreement.ts";
export {
  compareInputs,
  type DriftCheck,
  type DriftReport,
  HISTOGRAM_BINS,
  type InputStats,
  KS_ALPHA,
  ksCriticalValue,
  ksStatistic,
  PSI_THRESHOLD,
  populationStabilityIndex,
} from "./drift.ts";
export {
  type InputImage,
  inputStats,
  inputStatsOf,
  modelTrainingInputStats,
  REFERENCE_SAMPLE,
  trainingInputStats,
} from "./input-stats.ts";
export {
  formatTimeWindow,
  groupByWindow,
  parseTimeWindow,
  type TimeWindow,
  windowEnd,
  windowStart,
} from "./windows.ts";
