import type { Store } from "./store.ts";

/** The project a run belongs to: undefined when there is no such run. */
export async function runProjectId(store: Store, runId: number): Promise<number | null | undefined> {
  const run = await store.prisma.run.findUnique({ where: { id: runId }, select: { projectId: true } });
  return run ? run.projectId : undefined;
}

/** The projects an image is seen from: its patient's, and those of the runs that predicted it. */
export interface ImageScope {
  patientProjectId: number | null;
  runProjectIds: number[];
}

/** Null when there is no such image. */
export async function imageScope(store: Store, imageId: number): Promise<ImageScope | null> {
  const image = await store.prisma.image.findUnique({
    where: { id: imageId },
    select: {
      study: { select: { patient: { select: { projectId: true } } } },
      predictions: { select: { run: { select: { projectId: true } } }, distinct: ["runId"] },
    },
  });
  if (!image) return null;
  const runProjectIds = new Set(
    image.predictions.flatMap((p) => (p.run.projectId === null ? [] : [p.run.projectId])),
  );
  return { patientProjectId: image.study?.patient.projectId ?? null, runProjectIds: [...runProjectIds] };
}

/** The project of a patient (by row id): undefined when there is no such patient. */
export async function patientProjectId(store: Store, id: number): Promise<number | null | undefined> {
  const patient = await store.prisma.patient.findUnique({ where: { id }, select: { projectId: true } });
  return patient ? patient.projectId : undefined;
}
