import { experimentConfigSchema } from "@cxrlab/core/config";
import {
  addComment,
  createRun,
  defaultModelRunIds,
  deleteRun,
  isStarred,
  listComments,
  listRuns,
  mentionsOf,
  migrate,
  openStore,
  PromotionRefused,
  projectDefaultModel,
  promoteRun,
  promotionHistory,
  type Store,
  starRun,
  starredRunIds,
  unstarRun,
  updateRunStatus,
} from "@cxrlab/db";
import type { RunStatus } from "@cxrlab/validators/run-status";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "./databases.ts";

/** Comments with mentions, stars and model promotions, run against each provider by its own test file. */
export function collaborationSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  let alpha: number;

  async function user(id: string, email: string, project?: number, role = "researcher") {
    await store.prisma.user.create({ data: { id, email, name: id[0]!.toUpperCase() + id.slice(1) } });
    if (project !== undefined)
      await store.prisma.membership.create({ data: { projectId: project, userId: id, role } });
  }

  async function run(project: string, status: RunStatus, model: boolean) {
    const config = experimentConfigSchema.parse({ name: `${project}-${status}`, preset: "quick" });
    const created = await createRun(store, { config, project });
    if (status === "queued") return created;
    const update = model ? { model: { location: `/runs/${created.id}/model`, bytes: 1000 } } : {};
    return updateRunStatus(store, created.id, status, update);
  }

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
    alpha = (await store.prisma.project.create({ data: { name: "alpha" } })).id;
    const beta = (await store.prisma.project.create({ data: { name: "beta" } })).id;
    await user("alice", "alice@lab.org", alpha);
    await user("bob", "Bob.Smith@clinic.org", alpha, "viewer");
    // Carol is a member of beta only: mentioning her on an alpha run mentions nobody.
    await user("carol", "carol@lab.org", beta);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  describe("comments", () => {
    it("stores a comment with its author and the project members it mentions, by email or local part", async () => {
      const r = await run("alpha", "succeeded", true);
      const comment = await addComment(store, {
        runId: r.id,
        authorId: "alice",
        body: "  @bob.smith please check; cc @Alice@LAB.org, @carol and ops@home.  ",
      });
      expect(comment.body).toBe("@bob.smith please check; cc @Alice@LAB.org, @carol and ops@home.");
      expect(comment.author).toEqual({ id: "alice", name: "Alice", email: "alice@lab.org" });
      expect(comment.mentions.map((u) => u.id)).toEqual(["alice", "bob"]);
      const rows = await store.prisma.commentMention.findMany({ where: { commentId: comment.id } });
      expect(rows.map((m) => m.userId).sort()).toEqual(["alice", "bob"]);

      const second = await addComment(store, { runId: r.id, authorId: "bob", body: "Looks fine to me." });
      expect(second.mentions).toEqual([]);
      expect((await listComments(store, r.id)).map((c) => [c.id, c.author?.id])).toEqual([
        [comment.id, "alice"],
        [second.id, "bob"],
      ]);
      expect(await listComments(store, r.id + 1000)).toEqual([]);
    });

    it("lists a user's mentions newest first with the run's name", async () => {
      const r = await run("alpha", "failed", false);
      const later = await addComment(store, {
        runId: r.id,
        authorId: "alice",
        body: "why did this fail, @bob.smith?",
      });
      const mentions = await mentionsOf(store, "bob");
      expect(mentions[0]).toMatchObject({ id: later.id, runId: r.id, runName: "alpha-failed" });
      expect(mentions.length).toBe(2);
      expect(mentions[1]!.createdAt.getTime()).toBeLessThanOrEqual(later.createdAt.getTime());
      expect(await mentionsOf(store, "carol")).toEqual([]);
      // Only the projects asked for: a member who left a project no longer sees its comments.
      expect(await mentionsOf(store, "bob", { projectIds: [r.projectId!] })).toHaveLength(2);
      expect(await mentionsOf(store, "bob", { projectIds: [] })).toEqual([]);
    });

    it("refuses a local part two members share, an empty text and a missing run", async () => {
      await user("alice2", "alice@other.org", alpha);
      const r = await run("alpha", "queued", false);
      await expect(addComment(store, { runId: r.id, authorId: "bob", body: "hi @alice" })).rejects.toThrow(
        "@alice could mean alice@lab.org and alice@other.org: write the full email address",
      );
      const exact = await addComment(store, { runId: r.id, authorId: "bob", body: "hi @alice@other.org" });
      expect(exact.mentions.map((u) => u.id)).toEqual(["alice2"]);
      await expect(addComment(store, { runId: r.id, authorId: "bob", body: "  \n " })).rejects.toThrow(
        `comment on run ${r.id}: the text is empty`,
      );
      await expect(addComment(store, { runId: 999_999, authorId: "bob", body: "x" })).rejects.toThrow(
        "comment on run 999999: no such run",
      );
      await store.prisma.user.delete({ where: { id: "alice2" } });
      // The comment outlives its mention of a deleted account.
      expect((await listComments(store, r.id))[0]!.mentions).toEqual([]);
    });
  });

  describe("stars", () => {
    it("stars once per user, counts stars, lists a user's starred runs and unstars", async () => {
      const a = await run("alpha", "succeeded", true);
      const b = await run("alpha", "running", false);
      expect(await starRun(store, a.id, "alice")).toEqual({ runId: a.id, starred: true, stars: 1 });
      expect(await starRun(store, a.id, "alice")).toEqual({ runId: a.id, starred: true, stars: 1 });
      expect(await starRun(store, a.id, "bob")).toEqual({ runId: a.id, starred: true, stars: 2 });
      await starRun(store, b.id, "alice");
      expect(await isStarred(store, a.id, "alice")).toBe(true);
      expect(await isStarred(store, a.id, "carol")).toBe(false);
      expect(new Set(await starredRunIds(store, "alice"))).toEqual(new Set([a.id, b.id]));
      expect(await unstarRun(store, a.id, "alice")).toEqual({ runId: a.id, starred: false, stars: 1 });
      expect(await unstarRun(store, a.id, "alice")).toEqual({ runId: a.id, starred: false, stars: 1 });
      expect(await starredRunIds(store, "alice")).toEqual([b.id]);
      expect((await listRuns(store, { starredBy: "bob" })).items.map((r) => r.id)).toEqual([a.id]);
      // Deleting a run takes its stars with it.
      await deleteRun(store, b.id);
      expect(await starredRunIds(store, "alice")).toEqual([]);
    });
  });

  describe("model promotions", () => {
    it("refuses a run of another project, an unfinished or failed run and a run without a model", async () => {
      const other = await run("beta", "succeeded", true);
      const running = await run("alpha", "running", false);
      const failed = await run("alpha", "failed", true);
      const noModel = await run("alpha", "succeeded", false);
      const refused = (runId: number) => promoteRun(store, alpha, runId, "alice");
      await expect(refused(other.id)).rejects.toThrow(
        `promote run ${other.id}: it belongs to project "beta", not to project "alpha"`,
      );
      await expect(refused(running.id)).rejects.toThrow(
        `promote run ${running.id}: it is running; only a succeeded run's model can be promoted`,
      );
      await expect(refused(failed.id)).rejects.toBeInstanceOf(PromotionRefused);
      await expect(refused(noModel.id)).rejects.toThrow(`promote run ${noModel.id}: it saved no model`);
      await expect(refused(999_999)).rejects.toThrow("promote run 999999: no such run");
      await expect(promoteRun(store, 999_999, other.id, "alice")).rejects.toThrow("no project 999999");
      expect(await store.prisma.modelPromotion.count()).toBe(0);
    });

    it("makes the newest promotion the default, keeps the history and falls back when a run is deleted", async () => {
      expect(await projectDefaultModel(store, alpha)).toBeNull();
      const first = await run("alpha", "succeeded", true);
      const second = await run("alpha", "succeeded", true);
      const p1 = await promoteRun(store, alpha, first.id, "alice");
      expect(p1).toMatchObject({
        projectId: alpha,
        runId: first.id,
        runName: "alpha-succeeded",
        modelLocation: `/runs/${first.id}/model`,
        promotedBy: { id: "alice", name: "Alice", email: "alice@lab.org" },
      });
      expect(p1.createdAt).toBeInstanceOf(Date);
      const p2 = await promoteRun(store, alpha, second.id, "bob");
      expect(await projectDefaultModel(store, alpha)).toEqual(p2);
      expect(await projectDefaultModel(store, "alpha")).toEqual(p2);
      expect(await projectDefaultModel(store, "beta")).toBeNull();
      // Promoting the older run again makes it the default again.
      const p3 = await promoteRun(store, alpha, first.id, "bob");
      // Newest first, only the newest current; each entry is the promotion as it was recorded.
      const history = await promotionHistory(store, alpha);
      expect(history.map((p) => [p.id, p.current])).toEqual([
        [p3.id, true],
        [p2.id, false],
        [p1.id, false],
      ]);
      expect(history[1]).toEqual({ ...p2, current: false });
      expect(await defaultModelRunIds(store, [alpha, alpha])).toEqual(new Set([first.id]));
      const listed = (await listRuns(store, { project: "alpha" })).items;
      expect(listed.filter((r) => r.defaultModel).map((r) => r.id)).toEqual([first.id]);

      await deleteRun(store, first.id);
      expect((await projectDefaultModel(store, alpha))?.runId).toBe(second.id);
      // The deleted run's promotions leave the history with it; the remaining one is current.
      expect((await promotionHistory(store, alpha)).map((p) => [p.id, p.current])).toEqual([[p2.id, true]]);
      // A deleted promoter leaves the promotion in place without a name.
      await store.prisma.user.delete({ where: { id: "bob" } });
      expect(await projectDefaultModel(store, alpha)).toEqual({ ...p2, promotedBy: null });
    });
  });
}
