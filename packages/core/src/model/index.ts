export { type BuiltModel, buildModelFromConfig } from "./build.ts";
export {
  loadModel,
  META_JSON,
  MODEL_JSON,
  type ModelMeta,
  modelMetaSchema,
  type SaveModelMeta,
  saveModel,
  WEIGHTS_BIN,
} from "./io.ts";
export type { ModelSummary } from "./summary.ts";
