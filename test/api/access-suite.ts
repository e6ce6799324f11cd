/**
 * Every tRPC procedure and every HTTP route of the dashboard, called over HTTP (Request in, Response
 * out, through the same handlers the Next routes use) as anonymous, as each role of core's role table
 * in project "alpha", as an admin of another project, as an account with no project and as an admin
 * of alpha still on its one-time password, on a store holding alpha's run, predictions and patient.
 * What is allowed and denied comes from the table (OPERATIONS + ROLE_PERMISSIONS +
 * BEFORE_PASSWORD_CHANGE), never from a list in this file.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type AppRouter, appRouter, createCaller, createContext } from "@cxrlab/api";
import {
  handleAuditExport,
  handleGradCam,
  handleImage,
  handleThumbnail,
  handleUpload,
} from "@cxrlab/api/http";
import { selectBackend } from "@cxrlab/core/backend";
import { imageFileInfo } from "@cxrlab/core/data";
import { saveModel } from "@cxrlab/core/model";
import { sharedPaths } from "@cxrlab/core/paths";
import { imagenetDenseNet, testConfig, testModelMeta } from "@cxrlab/core/testing";
import {
  addPacsSource,
  createApiToken,
  createDatasetVersion,
  createRun,
  ingestImage,
  migrate,
  openStore,
  recordPredictions,
  type Store,
  submitReview,
  tagRun,
  updateRunStatus,
  upsertImage,
} from "@cxrlab/db";
import {
  BEFORE_PASSWORD_CHANGE,
  OPERATIONS,
  type Operation,
  type Permission,
  ROLES,
  type Role,
  roleCan,
} from "@cxrlab/validators/roles";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { type Orthanc, startOrthanc } from "../pacs/orthanc.ts";
import { oneTimeAccount, PASSWORD_CHANGE_FIRST, type TestAccount, testAccount } from "./accounts.ts";
import { sampleImagePaths } from "./fixture.ts";
import { ORIGIN, signIn } from "./sessions.ts";

/** Sign-ins so far, each from an address of its own (the sign-in rate limit is per address). */
let signIns = 0;

const ALPHA = "alpha";
const BETA = "beta";
/** A tag only alpha's run carries: seeing it in a list means seeing alpha's data. */
const SECRET_TAG = "alpha-only-tag";
const PATIENT_ID = "ALPHA-PATIENT-7";
/** Alpha's dataset: seeing its name in a list means seeing alpha's data. */
const ALPHA_DATASET = "alpha-reviewed";
/** Alpha's PACS source: a real, empty Orthanc (test/pacs/orthanc.ts). */
const ALPHA_PACS = "alpha-pacs";

type Identity = "anonymous" | `member:${Role}` | "outsider" | "no-project" | "one-time";
const IDENTITIES: Identity[] = [
  "anonymous",
  ...ROLES.map((r) => `member:${r}` as const),
  "outsider",
  "no-project",
  "one-time",
];

interface World {
  store: Store;
  alphaId: number;
  runId: number;
  /** A second run of alpha's, to compare with. */
  otherRunId: number;
  /** Predicted by alpha's run. */
  runImageId: number;
  /** In alpha's patient archive only (no run predicted it). */
  patientImageId: number;
  patientRow: number;
  /** Alpha's run's prediction on another patient's archive image: what the worklist lists and reviews name. */
  reviewPredictionId: number;
  /** Alpha's dataset version, made from a review of that prediction's image. */
  datasetId: number;
  accounts: Record<Exclude<Identity, "anonymous">, TestAccount>;
  admin: TestAccount;
  samplePng: string;
  orthanc: Orthanc;
}

/**
 * How one operation is called, with a target in project alpha. `scope`: "project" when the call
 * names something of alpha's (an outsider is refused), "list" when it lists what the caller may see
 * (an outsider is answered, without alpha's data: `leaks` tells), "account" for the caller's own things.
 */
interface Case {
  operation: Operation;
  label?: string;
  /** The permission this call needs, when the data decides rather than the operation's entry. */
  permission?: Permission;
  scope: "project" | "list" | "account";
  request(world: World, caller: TestAccount | null): Promise<Request>;
  leaks?(body: string, world: World): boolean;
  /** Allowed calls view patient data, so each must leave an audit row. */
  patientView?: boolean;
}

const headersOf = (caller: TestAccount | null, extra: Record<string, string> = {}) => ({
  ...(caller ? Object.fromEntries(caller.headers) : {}),
  ...extra,
});

function query(path: string, input: unknown) {
  return async (_w: World, caller: TestAccount | null) =>
    new Request(
      `${ORIGIN}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`,
      { headers: headersOf(caller) },
    );
}

function mutation(path: string, input: (w: World, caller: TestAccount | null) => Promise<unknown> | unknown) {
  return async (w: World, caller: TestAccount | null) =>
    new Request(`${ORIGIN}/api/trpc/${path}`, {
      method: "POST",
      headers: headersOf(caller, { "content-type": "application/json", origin: ORIGIN }),
      body: JSON.stringify(superjson.serialize(await input(w, caller))),
    });
}

/** A lazily built input, for cases whose target is only known once the world exists. */
const q = (path: string, input: (w: World) => unknown) => async (w: World, caller: TestAccount | null) =>
  query(path, input(w))(w, caller);

const get = (url: (w: World) => string) => async (w: World, caller: TestAccount | null) =>
  new Request(`${ORIGIN}${url(w)}`, { headers: headersOf(caller) });

const adminCaller = async (w: World) =>
  createCaller(await createContext({ store: w.store, headers: w.admin.headers }));

const CASES: Case[] = [
  {
    operation: "runs.list",
    scope: "list",
    request: query("runs.list", {}),
    leaks: (b, w) => b.includes(`"id":${w.runId},`),
  },
  {
    operation: "runs.facets",
    scope: "list",
    request: query("runs.facets", undefined),
    leaks: (b) => b.includes(SECRET_TAG),
  },
  { operation: "runs.get", scope: "project", request: q("runs.get", (w) => ({ id: w.runId })) },
  {
    operation: "runs.compare",
    scope: "project",
    request: q("runs.compare", (w) => ({ ids: [w.runId, w.otherRunId] })),
  },
  {
    operation: "runs.addTag",
    scope: "project",
    request: mutation("runs.addTag", (w) => ({ id: w.runId, tag: "checked" })),
  },
  {
    operation: "runs.removeTag",
    scope: "project",
    request: mutation("runs.removeTag", (w) => ({ id: w.runId, tag: "checked" })),
  },
  {
    operation: "runs.addNote",
    scope: "project",
    request: mutation("runs.addNote", (w) => ({ id: w.runId, body: "looked at it" })),
  },
  { operation: "runs.comments", scope: "project", request: q("runs.comments", (w) => ({ id: w.runId })) },
  {
    operation: "runs.addComment",
    scope: "project",
    request: mutation("runs.addComment", (w) => ({ id: w.runId, body: "fine run" })),
  },
  { operation: "runs.star", scope: "project", request: mutation("runs.star", (w) => ({ id: w.runId })) },
  { operation: "runs.unstar", scope: "project", request: mutation("runs.unstar", (w) => ({ id: w.runId })) },
  {
    operation: "runs.promote",
    scope: "project",
    request: mutation("runs.promote", (w) => ({ id: w.runId })),
  },
  {
    operation: "runs.promotions",
    scope: "project",
    request: q("runs.promotions", (w) => ({ id: w.runId })),
  },
  {
    operation: "runs.create",
    scope: "project",
    request: mutation("runs.create", (w) => ({
      projectId: w.alphaId,
      preset: "quick",
      data: sharedPaths.sample(),
      epochs: 1,
      limitPerClass: 4,
    })),
  },
  {
    operation: "runs.cancel",
    scope: "project",
    // A run queued by alpha's admin for each call, so every caller has one to cancel.
    request: mutation("runs.cancel", async (w) => {
      const queued = await (await adminCaller(w)).runs.create({
        projectId: w.alphaId,
        preset: "quick",
        data: sharedPaths.sample(),
        epochs: 1,
        limitPerClass: 4,
      });
      return { id: queued.runId };
    }),
  },
  {
    operation: "predictions.list",
    scope: "project",
    request: q("predictions.list", (w) => ({ runId: w.runId })),
  },
  { operation: "images.get", scope: "project", request: q("images.get", (w) => ({ imageId: w.runImageId })) },
  {
    operation: "images.get",
    label: "images.get (patient archive image)",
    permission: "patients:read",
    scope: "project",
    patientView: true,
    request: q("images.get", (w) => ({ imageId: w.patientImageId })),
  },
  {
    operation: "patients.search",
    scope: "list",
    patientView: true,
    request: query("patients.search", {}),
    leaks: (b) => b.includes(PATIENT_ID),
  },
  {
    operation: "patients.get",
    scope: "project",
    patientView: true,
    request: q("patients.get", (w) => ({ id: w.patientRow })),
  },
  {
    operation: "pacs.holdings",
    scope: "project",
    patientView: true,
    request: q("pacs.holdings", (w) => ({ id: w.patientRow })),
  },
  {
    operation: "pacs.pull",
    scope: "project",
    request: mutation("pacs.pull", (w) => ({ id: w.patientRow, source: ALPHA_PACS })),
  },
  {
    operation: "pacs.push",
    scope: "project",
    request: mutation("pacs.push", (w) => ({ id: w.patientRow, runId: w.runId, source: ALPHA_PACS })),
  },
  {
    operation: "reviews.worklist",
    scope: "project",
    patientView: true,
    request: q("reviews.worklist", (w) => ({ projectId: w.alphaId, status: "all" })),
  },
  {
    operation: "reviews.submit",
    scope: "project",
    request: mutation("reviews.submit", (w) => ({ predictionId: w.reviewPredictionId, label: "Normal" })),
  },
  {
    operation: "monitoring.project",
    scope: "project",
    request: q("monitoring.project", (w) => ({ projectId: w.alphaId })),
  },
  {
    operation: "monitoring.run",
    scope: "project",
    request: q("monitoring.run", (w) => ({ id: w.runId })),
  },
  {
    operation: "datasets.list",
    scope: "list",
    request: query("datasets.list", undefined),
    leaks: (body) => body.includes(ALPHA_DATASET),
  },
  {
    operation: "datasets.get",
    scope: "project",
    request: q("datasets.get", (w) => ({ id: w.datasetId })),
  },
  {
    operation: "datasets.create",
    scope: "project",
    request: mutation("datasets.create", (w) => ({ projectId: w.alphaId, name: ALPHA_DATASET })),
  },
  { operation: "projects.list", scope: "account", request: query("projects.list", undefined) },
  {
    operation: "projects.members",
    scope: "project",
    request: q("projects.members", (w) => ({ projectId: w.alphaId })),
  },
  {
    operation: "projects.setMember",
    scope: "project",
    request: mutation("projects.setMember", async (w) => {
      const newcomer = await testAccount(w.store, null);
      return { projectId: w.alphaId, email: newcomer.email, role: "viewer" };
    }),
  },
  {
    operation: "projects.removeMember",
    scope: "project",
    request: mutation("projects.removeMember", async (w) => {
      const leaving = await testAccount(w.store, "viewer", [ALPHA]);
      return { projectId: w.alphaId, userId: leaving.userId };
    }),
  },
  { operation: "tokens.list", scope: "account", request: query("tokens.list", undefined) },
  {
    operation: "tokens.create",
    scope: "account",
    // Only a browser session mints tokens (a token is refused whatever the role): each caller signs in.
    request: async (w, caller) => {
      const request = await mutation("tokens.create", () => ({ name: "another laptop" }))(w, caller);
      if (!caller) return request;
      const client = { "x-forwarded-for": `10.1.${++signIns % 250}.${Math.floor(signIns / 250)}` };
      const cookie = await signIn(w.store, caller.email, caller.password, client);
      const headers = new Headers(request.headers);
      headers.delete("authorization");
      headers.set("cookie", cookie);
      return new Request(request, { headers });
    },
  },
  {
    operation: "tokens.revoke",
    scope: "account",
    // Each caller revokes a token of its own (anonymous: someone's, which must not work either).
    request: mutation("tokens.revoke", async (w, caller) => {
      const { record } = await createApiToken(w.store, (caller ?? w.admin).userId, "to revoke");
      return { id: record.id };
    }),
  },
  { operation: "account.me", scope: "account", request: query("account.me", undefined) },
  { operation: "account.mentions", scope: "account", request: query("account.mentions", undefined) },
  {
    operation: "account.passwordChanged",
    scope: "account",
    request: mutation("account.passwordChanged", () => undefined),
  },
  { operation: "audit.list", scope: "project", request: q("audit.list", (w) => ({ projectId: w.alphaId })) },
  { operation: "http.image", scope: "project", request: get((w) => `/api/images/${w.runImageId}`) },
  {
    operation: "http.image",
    label: "http.image (patient archive image)",
    permission: "patients:read",
    scope: "project",
    patientView: true,
    request: get((w) => `/api/images/${w.patientImageId}`),
  },
  {
    operation: "http.thumbnail",
    scope: "project",
    request: get((w) => `/api/images/${w.runImageId}/thumbnail`),
  },
  {
    operation: "http.thumbnail",
    label: "http.thumbnail (patient archive image)",
    permission: "patients:read",
    scope: "project",
    patientView: true,
    request: get((w) => `/api/images/${w.patientImageId}/thumbnail`),
  },
  {
    operation: "http.gradcam",
    scope: "project",
    request: get((w) => `/api/gradcam/${w.runId}/${w.runImageId}`),
  },
  {
    operation: "http.upload",
    scope: "project",
    request: async (w, caller) => {
      const form = new FormData();
      form.set("project", String(w.alphaId));
      form.set("patientId", "UPLOADED-1");
      form.append("files", new Blob([readFileSync(w.samplePng)], { type: "image/png" }), "xray.png");
      return new Request(`${ORIGIN}/api/uploads`, {
        method: "POST",
        headers: headersOf(caller, { origin: ORIGIN }),
        body: form,
      });
    },
  },
  {
    operation: "http.auditExport",
    scope: "project",
    request: get((w) => `/api/audit/export?format=csv&projectId=${w.alphaId}`),
  },
];

/** Serves a request the way the Next routes do. */
async function serve(world: World, c: Case, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const store = world.store;
  if (url.pathname.startsWith("/api/trpc/"))
    return fetchRequestHandler<AppRouter>({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: () => createContext({ store, headers: request.headers }),
    });
  const [, , kind, a, b, c2] = url.pathname.split("/");
  if (kind === "images" && c2 === undefined && b === undefined)
    return handleImage(request, { imageId: a! }, { store });
  if (kind === "images" && b === "thumbnail")
    return handleThumbnail(request, { imageId: a! }, { store, cacheDir: cacheDir(world) });
  if (kind === "gradcam")
    return handleGradCam(request, { runId: a!, imageId: b! }, { store, cacheDir: cacheDir(world) });
  if (kind === "uploads")
    return handleUpload(request, { store, imageStore: path.join(cacheDir(world), "images") });
  if (kind === "audit") return handleAuditExport(request, { store });
  throw new Error(`no handler for ${url.pathname} (case ${c.label ?? c.operation})`);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), "cxrlab-access-"));
const cacheDir = (_w: World) => scratch;

/** What the table says the identity gets: allowed, or refused with 401/403. */
function expected(c: Case, identity: Identity): "allowed" | 401 | 403 {
  if (identity === "anonymous") return 401;
  // An admin of alpha, but still on its one-time password: only what changing it needs.
  if (identity === "one-time") return BEFORE_PASSWORD_CHANGE.has(c.operation) ? "allowed" : 403;
  const requirement = c.permission ?? OPERATIONS[c.operation];
  if (requirement === "account") return "allowed";
  if (identity === "no-project") return 403;
  // The outsider is an admin of beta: lists answer with beta's things only, alpha's are refused.
  if (identity === "outsider") return c.scope === "list" ? "allowed" : 403;
  return roleCan(identity.slice("member:".length) as Role, requirement) ? "allowed" : 403;
}

export function accessSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  const world = {} as World;

  beforeAll(async () => {
    // runs.create queues runs on the bundled sample, inside the folders the server allows.
    vi.stubEnv("CXRLAB_DATA_ROOTS", path.dirname(sharedPaths.sample()));
    db = await newDatabase();
    world.store = await openStore(db.url);
    await migrate(world.store);
    const { store } = world;
    await selectBackend();

    // Alpha's run, with a real (ImageNet) DenseNet saved as its model so Grad-CAM has one to serve.
    const modelDir = path.join(scratch, "run");
    const model = await imagenetDenseNet(64);
    await saveModel(path.join(modelDir, "model"), model, testModelMeta(64));
    model.dispose();
    const run = await createRun(store, { config: testConfig(64), project: ALPHA, tags: [SECRET_TAG] });
    await updateRunStatus(store, run.id, "succeeded", { model: { location: modelDir, bytes: 1 } });
    world.runId = run.id;
    world.alphaId = run.projectId!;
    const [first, second, third] = sampleImagePaths(1).map((s) => s.path);
    world.samplePng = second!;
    const info = await imageFileInfo(first!);
    world.runImageId = (await upsertImage(store, { ...info, location: first!, label: "COVID" })).id;
    await recordPredictions(store, run.id, [
      {
        imageId: world.runImageId,
        probabilities: { COVID: 0.8, Normal: 0.1, "Viral Pneumonia": 0.1 },
        predictedLabel: "COVID",
      },
    ]);
    world.otherRunId = (await createRun(store, { config: testConfig(64), project: ALPHA })).id;
    // Beta has a run too, so that its admin (the outsider) holds runs:read somewhere.
    await createRun(store, { config: testConfig(64), project: BETA });
    await tagRun(store, run.id, [SECRET_TAG]);

    const patientInfo = await imageFileInfo(second!);
    const archived = await ingestImage(store, {
      patient: { patientId: PATIENT_ID, name: "ALPHA^PATIENT", project: ALPHA },
      study: { studyDate: new Date("2024-01-02T00:00:00Z") },
      image: { ...patientInfo, location: second!, sourceFormat: "png", sourceLocation: second! },
    });
    world.patientImageId = archived.imageId;
    world.patientRow = archived.patientRef;
    const reviewed = await ingestImage(store, {
      patient: { patientId: "ALPHA-PATIENT-8", project: ALPHA },
      study: { studyDate: new Date("2024-02-03T00:00:00Z") },
      image: {
        ...(await imageFileInfo(third!)),
        location: third!,
        sourceFormat: "png",
        sourceLocation: third!,
      },
    });
    await recordPredictions(store, run.id, [
      {
        imageId: reviewed.imageId,
        probabilities: { COVID: 0.3, Normal: 0.6, "Viral Pneumonia": 0.1 },
        predictedLabel: "Normal",
      },
    ]);
    world.reviewPredictionId = (
      await store.prisma.prediction.findUniqueOrThrow({
        where: { runId_imageId: { runId: run.id, imageId: reviewed.imageId } },
      })
    ).id;

    world.accounts = {
      ...(Object.fromEntries(
        await Promise.all(
          ROLES.map(async (role) => [`member:${role}`, await testAccount(store, role, [ALPHA])]),
        ),
      ) as Record<`member:${Role}`, TestAccount>),
      outsider: await testAccount(store, "admin", [BETA]),
      "no-project": await testAccount(store, null),
      "one-time": await oneTimeAccount(store, "admin", [ALPHA]),
    };
    world.admin = world.accounts["member:admin"];
    await submitReview(store, {
      predictionId: world.reviewPredictionId,
      reviewerId: world.admin.userId,
      label: "Normal",
    });
    const dataset = await createDatasetVersion(store, {
      project: ALPHA,
      name: ALPHA_DATASET,
      fromReviews: { minReviewers: 1 },
      imageStore: path.join(scratch, "images"),
    });
    world.datasetId = dataset.version.id;

    world.orthanc = await startOrthanc();
    vi.stubEnv("ACCESS_PACS_PASSWORD", world.orthanc.password);
    await addPacsSource(store, {
      name: ALPHA_PACS,
      url: world.orthanc.dicomWeb,
      authKind: "basic",
      username: world.orthanc.user,
      secretEnv: "ACCESS_PACS_PASSWORD",
      project: ALPHA,
    });
  }, 300_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await world.orthanc?.stop();
    await world.store?.close();
    await db?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("names every procedure of the API router and every HTTP route in the role table, and nothing else", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    const tableProcedures = Object.keys(OPERATIONS)
      .filter((op) => !op.startsWith("http."))
      .sort();
    expect(procedures).toEqual(tableProcedures);
    const covered = new Set(CASES.map((c) => c.operation));
    expect(Object.keys(OPERATIONS).filter((op) => !covered.has(op as Operation))).toEqual([]);
    const names = CASES.map((c) => c.label ?? c.operation);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  for (const c of CASES) {
    const name = c.label ?? c.operation;
    it(`${name}: ${c.permission ?? OPERATIONS[c.operation]}, allowed and refused exactly as the role table says`, async () => {
      const outcomes: string[] = [];
      for (const identity of IDENTITIES) {
        const caller = identity === "anonymous" ? null : world.accounts[identity];
        const auditBefore = caller
          ? await world.store.prisma.auditEvent.count({
              where: { actorId: caller.userId, action: { startsWith: "patient." } },
            })
          : 0;
        const response = await serve(world, c, await c.request(world, caller));
        const body = await response.text();
        const want = expected(c, identity);
        const got = response.status === 401 || response.status === 403 ? response.status : "allowed";
        outcomes.push(`${identity}: ${got}`);
        expect(got, `${name} as ${identity} (HTTP ${response.status}: ${body.slice(0, 300)})`).toBe(want);
        if (identity === "one-time" && got === 403)
          expect(body, `${name} as ${identity} says why`).toContain(PASSWORD_CHANGE_FIRST);
        if (got !== "allowed") continue;
        expect(response.status, `${name} as ${identity}: ${body.slice(0, 300)}`).toBeLessThan(300);
        if (c.leaks) {
          const member = identity.startsWith("member:");
          expect(
            c.leaks(body, world),
            `${name} as ${identity} shows alpha's data: ${member ? "no" : "leak"}`,
          ).toBe(member);
        }
        if (c.patientView && caller) {
          const after = await world.store.prisma.auditEvent.count({
            where: { actorId: caller.userId, action: { startsWith: "patient." } },
          });
          expect(after, `${name} as ${identity} left no audit row`).toBeGreaterThan(auditBefore);
        }
      }
      expect(outcomes).toHaveLength(IDENTITIES.length);
    });
  }

  it("keeps the audit log append-only: the database refuses to change or delete a row", async () => {
    const { auditEvent } = world.store.prisma;
    const row = await auditEvent.findFirstOrThrow({ where: { action: "patient.view" } });
    const count = await auditEvent.count();
    await expect(auditEvent.update({ where: { id: row.id }, data: { action: "nothing" } })).rejects.toThrow();
    await expect(auditEvent.delete({ where: { id: row.id } })).rejects.toThrow();
    await expect(auditEvent.deleteMany({})).rejects.toThrow();
    expect(await auditEvent.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
    expect(await auditEvent.count()).toBe(count);
  });
}
