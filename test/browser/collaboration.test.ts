import { isStarred, listComments, projectDefaultModel, starRun } from "@cxrlab/db";
import { describe, expect, it } from "vitest";
import { dateTime } from "../../apps/web/src/format.ts";
import {
  fixture,
  openPage,
  privateDatabase,
  signIn,
  type TestAccount,
  testAccount,
  useDashboard,
} from "./harness.ts";
import { onPage, WIDTHS } from "./page-check.ts";

const { runs: fixtureRuns } = fixture();

describe("comments with mentions, stars and the default model on the run page", () => {
  // The tests write comments, stars and promotions: a private copy of the fixture store.
  const dashboard = useDashboard({ databaseUrl: privateDatabase() });
  const [promoted, other] = fixtureRuns;
  let researcher: TestAccount;
  let clinician: TestAccount;

  async function projectOf(runId: number): Promise<number> {
    const run = await dashboard.store.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    if (run.projectId === null) throw new Error(`fixture run ${runId} has no project`);
    return run.projectId;
  }

  async function runAudit(account: TestAccount) {
    const events = await dashboard.store.prisma.auditEvent.findMany({
      where: { actorId: account.userId, action: { startsWith: "run." } },
      orderBy: { id: "asc" },
    });
    return events.map(({ action, targetType, targetId, projectId }) => ({
      action,
      targetType,
      targetId,
      projectId,
    }));
  }

  it("a researcher signs in, comments with a mention, stars and promotes; the store and the audit log agree", async () => {
    researcher = await testAccount(dashboard.store, "researcher");
    clinician = await testAccount(dashboard.store, "clinician");
    const id = promoted!.id;
    const projectId = await projectOf(id);
    expect(await projectDefaultModel(dashboard.store, projectId)).toBeNull();
    const { page, consoleErrors, failedRequests, close } = await openPage(dashboard.browser, { width: 390 });
    try {
      await signIn(page, dashboard.app.baseUrl, researcher, `/runs/${id}`);
      expect(await page.getByTestId("default-model-none").isVisible()).toBe(true);
      expect(await page.getByTestId("promotion-history").count()).toBe(0);

      // A comment mentioning the clinician by the part of their email before the @.
      const local = clinician.email.split("@")[0]!;
      const body = `Ready for review, @${local}: the confusion matrix looks right.`;
      await page.getByTestId("comment-input").fill(body);
      await page.getByTestId("comment-add").click();
      const shown = page.getByTestId("run-comment").filter({ hasText: "Ready for review" });
      await shown.waitFor();
      expect(await page.getByTestId("comment-input").inputValue()).toBe("");
      expect(await shown.getByTestId("comment-author").textContent()).toBe("Test researcher");
      expect(await shown.locator(".comment-body").textContent()).toBe(body);
      const mention = shown.getByTestId("mention");
      expect(await mention.textContent()).toBe(`@${local}`);
      expect(await mention.getAttribute("data-user-id")).toBe(clinician.userId);
      const [comment] = await listComments(dashboard.store, id);
      expect(comment).toMatchObject({ body, author: { id: researcher.userId } });
      expect(comment!.mentions.map((u) => u.id)).toEqual([clinician.userId]);
      expect(await shown.locator("time").textContent()).toBe(dateTime(comment!.createdAt));

      // Star.
      const star = page.getByTestId("star-toggle");
      expect(await star.getAttribute("data-starred")).toBe("false");
      await star.click();
      await page.locator('[data-testid="star-toggle"][data-starred="true"]').waitFor();
      expect(await page.getByTestId("star-count").textContent()).toBe("1");
      expect(await isStarred(dashboard.store, id, researcher.userId)).toBe(true);

      // Promote: the page then names the stored promotion's time and promoter.
      await page.getByTestId("promote-run").click();
      const since = page.getByTestId("default-model-since");
      await since.waitFor();
      const promotion = await projectDefaultModel(dashboard.store, projectId);
      expect(promotion).toMatchObject({ runId: id, promotedBy: { id: researcher.userId } });
      expect(await since.textContent()).toBe(
        `Default model since ${dateTime(promotion!.createdAt)}, promoted by Test researcher`,
      );
      expect(await page.getByTestId("promote-run").count()).toBe(0);
      // The history lists that promotion as the current one, naming the promoter and linking the run.
      const history = page.getByTestId("promotion-row");
      await history.first().waitFor();
      expect(await history.count()).toBe(1);
      expect(await history.getAttribute("data-current")).toBe("true");
      expect(await history.getByTestId("promotion-by").textContent()).toBe("Test researcher");
      expect(await history.locator("time").textContent()).toBe(dateTime(promotion!.createdAt));
      const promotedLink = history.getByTestId("promotion-run");
      expect(await promotedLink.getAttribute("href")).toBe(`/runs/${id}`);
      expect(await promotedLink.textContent()).toBe(`#${id} ${promoted!.name}`);

      // Reloaded, all three come from the store.
      await page.reload();
      expect(await page.getByTestId("run-comment").count()).toBe(1);
      expect(await page.getByTestId("star-toggle").getAttribute("data-starred")).toBe("true");
      expect(await since.isVisible()).toBe(true);

      const target = { targetType: "run", targetId: String(id), projectId };
      expect(await runAudit(researcher)).toEqual([
        { action: "run.comment", ...target },
        { action: "run.star", ...target },
        { action: "run.promote", ...target },
      ]);

      // The runs list marks the promoted run, and only it.
      await page.goto(`${dashboard.app.baseUrl}/runs`);
      const badges = page.getByTestId("default-badge");
      await badges.first().waitFor();
      expect(await badges.count()).toBe(1);
      const row = page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
      expect(await row.getByTestId("default-badge").textContent()).toBe("Default");

      // "Starred by me" lists the starred run alone.
      await page.goto(`${dashboard.app.baseUrl}/runs?starred=1`);
      expect(await page.getByTestId("filter-starred").isChecked()).toBe(true);
      const starredRows = page.getByTestId("run-row");
      await expect.poll(() => starredRows.count()).toBe(1);
      expect(await starredRows.getAttribute("data-run-id")).toBe(String(id));

      // The other run's page points to the default model.
      await page.goto(`${dashboard.app.baseUrl}/runs/${other!.id}`);
      const elsewhere = page.getByTestId("default-model-other");
      expect(await elsewhere.textContent()).toContain(`run #${id} (${promoted!.name})`);
      expect(await elsewhere.locator("a").getAttribute("href")).toBe(`/runs/${id}`);
      expect(await page.getByTestId("promote-run").isEnabled()).toBe(true);
      // So does its promotion history (the project's), whose run link leads back to the promoted run.
      const otherHistory = page.getByTestId("promotion-row");
      expect(await otherHistory.count()).toBe(1);
      expect(await otherHistory.getByTestId("promotion-by").textContent()).toBe("Test researcher");
      await otherHistory.getByRole("link", { name: `#${id} ${promoted!.name}` }).click();
      await page.waitForURL((url) => url.pathname === `/runs/${id}`);
      await page.getByTestId("promotion-history").waitFor();

      // Unstarring takes the star off and is audited too.
      await page.getByTestId("star-toggle").click();
      await page.locator('[data-testid="star-toggle"][data-starred="false"]').waitFor();
      expect(await page.getByTestId("star-count").textContent()).toBe("0");
      expect(await isStarred(dashboard.store, id, researcher.userId)).toBe(false);
      expect((await runAudit(researcher)).at(-1)).toEqual({ action: "run.unstar", ...target });
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
    } finally {
      await close();
    }
  });

  it("lists the comment on the mentioned clinician's Mentions page, linking to the run", async () => {
    const { page, consoleErrors, close } = await dashboard.openPage({ width: 390, account: clinician });
    try {
      await page.goto(`${dashboard.app.baseUrl}/runs`);
      await page.getByTestId("account-menu").locator("summary").click();
      await page.getByRole("link", { name: "Mentions" }).click();
      await page.waitForURL((url) => url.pathname === "/mentions");
      const [comment] = await listComments(dashboard.store, promoted!.id);
      const item = page.locator(`[data-testid="mention-item"][data-comment-id="${comment!.id}"]`);
      await item.waitFor();
      expect(await item.getByTestId("mention").getAttribute("data-user-id")).toBe(clinician.userId);
      await item.getByRole("link", { name: promoted!.name }).click();
      await page.waitForURL((url) => url.pathname === `/runs/${promoted!.id}`);
      expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("refuses a comment whose mention two members could answer to, and stores nothing", async () => {
    const id = promoted!.id;
    const twin = await testAccount(dashboard.store, "viewer");
    const local = twin.email.split("@")[0]!;
    // Another account whose email has the same part before the @.
    await dashboard.store.prisma.user.create({
      data: { id: `twin-${local}`, name: "Twin", email: `${local}@elsewhere.test` },
    });
    await dashboard.store.prisma.membership.create({
      data: { projectId: await projectOf(id), userId: `twin-${local}`, role: "viewer" },
    });
    const { page, close } = await dashboard.openPage({ width: 1280, account: researcher });
    try {
      await page.goto(`${dashboard.app.baseUrl}/runs/${id}`);
      await page.getByTestId("comment-input").fill(`@${local} have a look`);
      await page.getByTestId("comment-add").click();
      const error = page.getByTestId("comment-error");
      await error.waitFor();
      expect(await error.textContent()).toContain(`@${local} could mean`);
      expect(await page.getByTestId("comment-input").inputValue()).toBe(`@${local} have a look`);
      expect(await listComments(dashboard.store, id)).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it("a viewer sees comments, stars and the default model but gets no controls to change them", async () => {
    const viewer = await testAccount(dashboard.store, "viewer");
    const { page, close } = await dashboard.openPage({ width: 1280, account: viewer });
    try {
      await page.goto(`${dashboard.app.baseUrl}/runs/${other!.id}`);
      expect(await page.getByTestId("default-model-other").isVisible()).toBe(true);
      expect(await page.getByTestId("promote-run").count()).toBe(0);
      expect(await page.getByTestId("comment-input").count()).toBe(0);
      expect(await page.getByTestId("star-toggle").isDisabled()).toBe(true);
      await page.goto(`${dashboard.app.baseUrl}/runs/${promoted!.id}`);
      expect(await page.getByTestId("run-comment").count()).toBe(1);
      expect(await page.getByTestId("mention").count()).toBe(1);
    } finally {
      await close();
    }
  });

  for (const width of WIDTHS) {
    it(`shows the comment, star count and default model without sideways scrolling (${width} px)`, async () => {
      const id = promoted!.id;
      // Starred by the clinician (once, whichever width runs first), not by the admin looking.
      await starRun(dashboard.store, id, clinician.userId);
      const url = `${dashboard.app.baseUrl}/runs/${id}`;
      await onPage(dashboard, url, { width, name: "run-collaboration" }, async (page) => {
        expect(await page.getByTestId("run-comment").count()).toBe(1);
        expect(await page.getByTestId("mention").count()).toBe(1);
        expect(await page.getByTestId("star-toggle").getAttribute("data-starred")).toBe("false");
        expect(await page.getByTestId("star-count").textContent()).toBe("1");
        expect(await page.getByTestId("default-model-since").isVisible()).toBe(true);
      });
    });
  }
});
