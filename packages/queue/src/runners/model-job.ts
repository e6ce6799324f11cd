import type { BackendName } from "@cxrlab/core/backend";
import type { ModelRunOptions } from "@cxrlab/core/inference";

/** What a prediction or evaluation job asks of a saved model (`cxrlab predict|evaluate`, queued jobs). */
export interface ModelJobRequest extends Omit<ModelRunOptions, "engine"> {
  /** Run folder or its model/ folder. */
  model: string;
  backend?: BackendName;
}
