import { DEFAULT_PROJECT, type PromotionRecord, projectDefaultModel, type Store } from "@cxrlab/db";

/** `project "alpha"'s default model, promoted by Ana <ana@lab.org> on 2026-11-27T12:00:00.000Z` */
export function describeDefaultModel(promotion: PromotionRecord): string {
  const by = promotion.promotedBy ? ` by ${promotion.promotedBy.name} <${promotion.promotedBy.email}>` : "";
  return `project "${promotion.projectName}"'s default model, promoted${by} on ${promotion.createdAt.toISOString()}`;
}

/** The project's promoted model; throws naming the project when it has none. */
export async function requireDefaultModel(store: Store, project: string): Promise<PromotionRecord> {
  const promotion = await projectDefaultModel(store, project);
  if (!promotion) {
    throw new Error(
      `no --model given and project "${project}" has no default model (or does not exist): promote a run's model on its dashboard page, or pass --model`,
    );
  }
  return promotion;
}

/**
 * The model `cxrlab predict` uses for image files when none is named: the promoted model of
 * `project` ("default" unless given). Says on stderr which one it is.
 */
export async function projectModelForPredict(
  store: Store,
  project: string = DEFAULT_PROJECT,
): Promise<PromotionRecord> {
  const promotion = await requireDefaultModel(store, project);
  process.stderr.write(
    `model: run ${promotion.runId} (${promotion.runName}), ${describeDefaultModel(promotion)}\n`,
  );
  return promotion;
}
