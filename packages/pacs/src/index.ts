export { NOT_A_DIAGNOSIS } from "./derived-instance.ts";
export {
  type DicomWebEndpoint,
  type InstanceMatch,
  PacsError,
  type StudyMatch,
  searchInstances,
  searchStudies,
} from "./dicomweb-client.ts";
export {
  type ConnectOptions,
  DEFAULT_MAX_MATCHES,
  DEFAULT_PAGE_SIZE,
  DEFAULT_TIMEOUT_SECONDS,
  endpointOf,
} from "./endpoint.ts";
export { type PacsStudy, pacsHoldings } from "./holdings.ts";
export {
  DEFAULT_MODALITIES,
  type PulledStudy,
  type PullOptions,
  type PullReport,
  pullStudies,
  type SyncReport,
  syncSource,
} from "./pull.ts";
export { type PushedReport, type PushReport, type PushRequest, pushResults } from "./push.ts";
export { COMPREHENSIVE_SR } from "./result-report.ts";
