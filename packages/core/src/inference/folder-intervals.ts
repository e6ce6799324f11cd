import { findImageGroups, imageGrouping } from "../data/image-groups.ts";
import {
  type BootstrapSettings,
  bootstrapMetricIntervals,
  type MetricIntervals,
  type PredictionsInput,
} from "../metrics/index.ts";

export interface FolderPredictions extends PredictionsInput {
  /** The folder the images were listed from (its GROUPS.tsv, or its parent's, groups them). */
  folder: string;
  /** Each example's image file. */
  paths: readonly string[];
}

/**
 * Bootstrap intervals of the metrics of predictions on a labelled folder: resampled by the groups
 * of the folder's (or its parent's) GROUPS.tsv when it lists the images, else per image.
 */
export async function folderMetricIntervals(
  input: FolderPredictions,
  settings: Omit<BootstrapSettings, "grouping"> = {},
): Promise<MetricIntervals> {
  const grouping = imageGrouping(input.paths, await findImageGroups(input.folder));
  return bootstrapMetricIntervals(input, { ...settings, grouping });
}
