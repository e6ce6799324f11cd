import { readFileSync } from "node:fs";
import net from "node:net";
import { getRun } from "@cxrlab/db";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers.ts";
import { fixture, screenshot, useDashboard, type Width } from "./harness.ts";

const { databaseUrl, runs } = fixture();
const demo = runs[0]!;

describe("the dashboard served by `cxrlab serve` over a store filled by real demo runs", () => {
  const dashboard = useDashboard({ runId: demo.id });

  it("prints the URL of the run it was asked for", () => {
    const { app } = dashboard;
    expect(app.url).toBe(`${app.baseUrl}/runs/${demo.id}`);
    expect(app.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  for (const width of [1280, 390] satisfies Width[]) {
    it(`sends / to /runs, which lists every demo run with its stored test accuracy (${width} px)`, async () => {
      const { app, store } = dashboard;
      const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({ width });
      try {
        const response = await page.goto(`${app.baseUrl}/`);
        expect(response?.status()).toBe(200);
        expect(new URL(page.url()).pathname).toBe("/runs");
        for (const run of runs) {
          const stored = (await getRun(store, run.id))?.evaluations.find((e) => e.split === "test");
          expect(stored?.metrics.accuracy, `run ${run.id}'s test accuracy in the store`).toBe(run.accuracy);
          const row = page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`);
          await row.waitFor();
          expect(await row.textContent()).toContain(run.name);
          const shown = (await row.getByTestId("run-accuracy").textContent())?.trim() ?? "";
          expect(shown).toMatch(/^\d+(\.\d+)?%$/);
          // Shown as a rounded percentage: equal to the store's value at the digits shown.
          const digits = shown.replace("%", "").split(".")[1]?.length ?? 0;
          expect(Number.parseFloat(shown)).toBeCloseTo(stored!.metrics.accuracy * 100, digits);
        }
        await screenshot(page, `smoke-runs-${width}`);
        expect(consoleErrors).toEqual([]);
        expect(failedRequests).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it("serves a recorded image's bytes with long-lived caching headers, and 404 for an unknown id", async () => {
    const { app, store } = dashboard;
    const image = await store.prisma.image.findFirstOrThrow({ orderBy: { id: "asc" } });
    expect((await fetch(`${app.baseUrl}/api/images/${image.id}`)).status, "anonymous").toBe(401);
    const signedIn = { headers: dashboard.admin.headers };
    const response = await fetch(`${app.baseUrl}/api/images/${image.id}`, signedIn);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^image\//);
    expect(response.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(response.headers.get("etag")).toContain(image.sha256);
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(image.location))).toBe(true);

    const newest = await store.prisma.image.findFirstOrThrow({ orderBy: { id: "desc" } });
    const missing = await fetch(`${app.baseUrl}/api/images/${newest.id + 1000}`, signedIn);
    expect(missing.status).toBe(404);
  });

  it("cxrlab serve refuses a port that is taken, saying which", async () => {
    const { app } = dashboard;
    const result = await runCli(["serve", "--port", String(app.port)], {
      env: { DATABASE_URL: databaseUrl },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`port ${app.port} on 127.0.0.1 is already in use`);
    expect(result.stdout).toBe("");
  });

  it("stops on SIGTERM and takes the Next.js server down with it", async () => {
    const { app } = dashboard;
    // A clean exit in time, not the harness's fallback SIGKILL of the whole process group.
    expect(await app.stop()).toEqual({ code: 0, signal: null, forced: false });
    // The port is free again only if serve passed the signal on to the server it started.
    await new Promise<void>((resolve, reject) => {
      const probe = net.createServer().once("error", reject);
      probe.listen(app.port, "127.0.0.1", () => probe.close(() => resolve()));
    });
  });
});
