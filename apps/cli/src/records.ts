import {
  addRunNote,
  getPatientHistory,
  getRun,
  listPatients,
  listRuns,
  onePatient,
  type PatientHistory,
  type PatientSummary,
  type RunDetail,
  type RunQuery,
  type RunSummary,
  type Store,
  tagRun,
  withStore,
} from "@cxrlab/db";
import { auditCli } from "./cli-audit.ts";
import { signedIn } from "./remote.ts";

export type RunFilter = Pick<RunQuery, "status" | "tag" | "project"> & { limit: number };

/**
 * What the `runs` and `patients` commands read and change: the local store (trusted through
 * DATABASE_URL, audited as the CLI), or a dashboard through its API with the token of `cxrlab
 * login` (its roles apply and its audit log names the account).
 */
export interface Records {
  listRuns(filter: RunFilter): Promise<RunSummary[]>;
  /** An error for a run that is not there (or not visible to the account). */
  getRun(id: number): Promise<RunDetail>;
  tagRun(id: number, tags: string[]): Promise<void>;
  noteRun(id: number, body: string): Promise<void>;
  listPatients(q: string | undefined, limit: number): Promise<{ items: PatientSummary[]; total: number }>;
  /** Null when there is no such patient (or none the account may read). */
  patientHistory(patientId: string, issuer?: string): Promise<PatientHistory | null>;
}

/** The option every command that reads or changes shared records takes. */
export const REMOTE_OPTION = [
  "--remote",
  "through the dashboard you signed in to (`cxrlab login`) instead of the local store: its roles apply and its audit log names you",
] as const;

/** Runs `fn` on the local store, or on the signed-in dashboard when `remote`. */
export async function withRecords<T>(remote: boolean | undefined, fn: (records: Records) => Promise<T>) {
  return remote ? fn(remoteRecords()) : withStore((store) => fn(localRecords(store)));
}

/** The run `id` of the local store, or an error saying there is none. */
export async function requireStoredRun(store: Store, id: number): Promise<RunDetail> {
  const run = await getRun(store, id);
  if (!run) throw new Error(`no run ${id} in the store`);
  return run;
}

function localRecords(store: Store): Records {
  const requireRun = (id: number) => requireStoredRun(store, id);
  /** Changes an existing run and audits the change. */
  const changeRun = async (id: number, action: string, change: () => Promise<unknown>, details?: object) => {
    const run = await requireRun(id);
    await change();
    await auditCli(store, {
      action,
      targetType: "run",
      targetId: String(id),
      projectId: run.projectId,
      details,
    });
  };
  return {
    listRuns: async ({ limit, ...filter }) => (await listRuns(store, { ...filter, pageSize: limit })).items,
    getRun: requireRun,
    tagRun: (id, tags) => changeRun(id, "run.tag", () => tagRun(store, id, tags), { tags }),
    noteRun: (id, body) => changeRun(id, "run.note", () => addRunNote(store, id, body)),
    async listPatients(q, limit) {
      const found = await listPatients(store, { q, pageSize: limit });
      // A list of identities is a view of patient data.
      await auditCli(store, {
        action: "patient.search",
        targetType: "patient",
        targetId: found.items.map((p) => p.id).join(",") || null,
        details: { q: q ?? null, results: found.items.length },
      });
      return found;
    },
    async patientHistory(patientId, issuer) {
      const found = await getPatientHistory(store, { patientId, issuer });
      if (found)
        await auditCli(store, {
          action: "patient.view",
          targetType: "patient",
          targetId: String(found.patient.id),
          projectId: found.patient.projectId,
        });
      return found;
    },
  };
}

/** The API's largest page: longer lists are read page by page. */
const PAGE = 100;

function remoteRecords(): Records {
  const { api, at } = signedIn();
  /** Up to `limit` items of a paged list, fetching pages of at most PAGE. */
  const pages = async <I>(
    limit: number,
    page: (n: number, size: number) => Promise<{ items: I[]; total: number }>,
  ) => {
    const items: I[] = [];
    let total = 0;
    for (let n = 1; items.length < limit; n++) {
      const got = await at(() => page(n, Math.min(PAGE, limit - items.length)));
      items.push(...got.items);
      total = got.total;
      if (got.items.length === 0 || items.length >= total) break;
    }
    return { items, total };
  };
  return {
    listRuns: async ({ limit, status, tag, project }) =>
      (
        await pages(limit, (page, pageSize) =>
          api.runs.list.query({
            page,
            pageSize,
            ...(status ? { status: [...status] } : {}),
            ...(tag ? { tag } : {}),
            ...(project ? { project } : {}),
          }),
        )
      ).items,
    getRun: (id) => at(() => api.runs.get.query({ id })),
    async tagRun(id, tags) {
      for (const tag of tags) await at(() => api.runs.addTag.mutate({ id, tag }));
    },
    async noteRun(id, body) {
      await at(() => api.runs.addNote.mutate({ id, body }));
    },
    listPatients: (q, limit) =>
      pages(limit, (page, pageSize) => api.patients.search.query({ ...(q ? { q } : {}), page, pageSize })),
    async patientHistory(patientId, issuer) {
      // The search matches part of the ID or the name; the patient is the exact ID (and issuer).
      const { items } = await pages(Number.POSITIVE_INFINITY, (page, pageSize) =>
        api.patients.search.query({ q: patientId, page, pageSize }),
      );
      const match = onePatient(
        patientId,
        items.filter((p) => p.patientId === patientId && (issuer === undefined || p.issuer === issuer)),
      );
      return match && at(() => api.patients.get.query({ id: match.id }));
    },
  };
}
