import { experimentConfigSchema } from "@cxrlab/core/config";
import { createRun, migrate, openStore, type Store, updateRunStatus } from "@cxrlab/db";
import type { RunStatus } from "@cxrlab/validators/run-status";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteDatabase, type TestDatabase } from "../db/databases.ts";
import { callerAs, type TestAccount, testAccount } from "./accounts.ts";
import { rejection } from "./router-suite.ts";

type Caller = Awaited<ReturnType<typeof callerAs>>;

describe("runs.comments, addComment, star, unstar, promote and promotions through the API", () => {
  let db: TestDatabase;
  let store: Store;
  let researcher: TestAccount;
  let clinician: TestAccount;
  let viewer: TestAccount;
  let outsider: TestAccount;
  let as: { researcher: Caller; viewer: Caller; outsider: Caller };
  let succeeded: number;
  let failed: number;
  let alpha: number;

  async function run(status: RunStatus, name = `alpha-${status}`): Promise<number> {
    const config = experimentConfigSchema.parse({ name, preset: "quick" });
    const { id } = await createRun(store, { config, project: "alpha" });
    await updateRunStatus(store, id, status, { model: { location: `/runs/${id}/model`, bytes: 1 } });
    return id;
  }

  beforeAll(async () => {
    db = await sqliteDatabase();
    store = await openStore(db.url);
    await migrate(store);
    [researcher, clinician, viewer, outsider] = [
      await testAccount(store, "researcher", ["alpha"]),
      await testAccount(store, "clinician", ["alpha"]),
      await testAccount(store, "viewer", ["alpha"]),
      await testAccount(store, "researcher", ["beta"]),
    ];
    as = {
      researcher: await callerAs(store, researcher),
      viewer: await callerAs(store, viewer),
      outsider: await callerAs(store, outsider),
    };
    succeeded = await run("succeeded");
    failed = await run("failed");
    alpha = (await store.prisma.project.findUniqueOrThrow({ where: { name: "alpha" } })).id;
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const audit = (actor: TestAccount) =>
    store.prisma.auditEvent.findMany({
      where: { actorId: actor.userId },
      orderBy: { id: "asc" },
      select: { action: true, targetType: true, targetId: true, projectId: true, actorEmail: true },
    });

  it("adds a comment that mentions a member, lists it and audits it", async () => {
    const local = clinician.email.split("@")[0]!;
    const comment = await as.researcher.runs.addComment({ id: succeeded, body: `over to you, @${local}.` });
    expect(comment.author?.id).toBe(researcher.userId);
    expect(comment.mentions.map((u) => u.id)).toEqual([clinician.userId]);
    // A viewer reads comments but may not write one; someone outside the project may not read them.
    expect(await as.viewer.runs.comments({ id: succeeded })).toEqual([comment]);
    expect((await rejection(as.viewer.runs.addComment({ id: succeeded, body: "hi" }))).code).toBe(
      "FORBIDDEN",
    );
    expect((await rejection(as.outsider.runs.comments({ id: succeeded }))).code).toBe("FORBIDDEN");
    expect((await rejection(as.researcher.runs.comments({ id: 999_999 }))).code).toBe("NOT_FOUND");
    expect((await rejection(as.researcher.runs.addComment({ id: succeeded, body: "   " }))).code).toBe(
      "BAD_REQUEST",
    );
    expect(await audit(researcher)).toEqual([
      {
        action: "run.comment",
        targetType: "run",
        targetId: String(succeeded),
        projectId: alpha,
        actorEmail: researcher.email,
      },
    ]);
  });

  it("stars and unstars for the viewer's own account, shown by runs.get and the starred filter", async () => {
    expect(await as.researcher.runs.star({ id: succeeded })).toEqual({
      runId: succeeded,
      starred: true,
      stars: 1,
    });
    expect(await as.researcher.runs.get({ id: succeeded })).toMatchObject({ starred: true, stars: 1 });
    // Another member sees the count but not a star of their own.
    expect(await as.viewer.runs.get({ id: succeeded })).toMatchObject({ starred: false, stars: 1 });
    expect((await rejection(as.viewer.runs.star({ id: succeeded }))).code).toBe("FORBIDDEN");
    expect((await as.researcher.runs.list({ starred: true })).items.map((r) => r.id)).toEqual([succeeded]);
    expect((await as.viewer.runs.list({ starred: true })).items).toEqual([]);
    expect(await as.researcher.runs.unstar({ id: succeeded })).toEqual({
      runId: succeeded,
      starred: false,
      stars: 0,
    });
    expect((await audit(researcher)).map((e) => e.action).slice(-2)).toEqual(["run.star", "run.unstar"]);
  });

  it("promotes a succeeded run's model, refuses a failed run's, and marks the default in get and list", async () => {
    expect((await rejection(as.viewer.runs.promote({ id: succeeded }))).code).toBe("FORBIDDEN");
    const refused = await rejection(as.researcher.runs.promote({ id: failed }));
    expect(refused).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: `promote run ${failed}: it is failed; only a succeeded run's model can be promoted`,
    });
    const promotion = await as.researcher.runs.promote({ id: succeeded });
    expect(promotion).toMatchObject({
      runId: succeeded,
      projectId: alpha,
      promotedBy: { id: researcher.userId },
    });
    expect(await as.viewer.runs.get({ id: succeeded })).toMatchObject({
      isDefaultModel: true,
      defaultModel: promotion,
    });
    expect(await as.viewer.runs.get({ id: failed })).toMatchObject({
      isDefaultModel: false,
      defaultModel: promotion,
    });
    const listed = (await as.viewer.runs.list()).items;
    expect(listed.map((r) => [r.id, r.defaultModel])).toEqual([
      [failed, false],
      [succeeded, true],
    ]);
    const events = await audit(researcher);
    expect(events.at(-1)).toEqual({
      action: "run.promote",
      targetType: "run",
      targetId: String(succeeded),
      projectId: alpha,
      actorEmail: researcher.email,
    });
    // The refused promotion left no audit row and no promotion.
    expect(events.filter((e) => e.action === "run.promote")).toHaveLength(1);
    expect(await store.prisma.modelPromotion.count()).toBe(1);
  });

  it("lists the project's promotions newest first, with who promoted which run and which is current", async () => {
    const newer = await run("succeeded", "alpha-newer");
    const byClinician = await (await callerAs(store, clinician)).runs.promote({ id: newer });
    // Asked through any run of the project (here one never promoted), by a member who may only read.
    const history = await as.viewer.runs.promotions({ id: failed });
    expect(
      history.map((p) => ({
        runId: p.runId,
        runName: p.runName,
        by: p.promotedBy?.email,
        current: p.current,
      })),
    ).toEqual([
      { runId: newer, runName: "alpha-newer", by: clinician.email, current: true },
      { runId: succeeded, runName: "alpha-succeeded", by: researcher.email, current: false },
    ]);
    expect(history[0]).toEqual({ ...byClinician, current: true });
    expect((await as.viewer.runs.get({ id: succeeded })).defaultModel).toEqual(byClinician);
    expect((await rejection(as.outsider.runs.promotions({ id: succeeded }))).code).toBe("FORBIDDEN");
    expect((await rejection(as.viewer.runs.promotions({ id: 999_999 }))).code).toBe("NOT_FOUND");
  });
});
