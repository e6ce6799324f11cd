import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sharedPaths } from "@cxrlab/core/paths";
import { CLASS_NAMES } from "@cxrlab/core/testing";
import { describe, expect, it } from "vitest";
import { parseJson, runCli } from "./helpers.ts";

const SMALL = ["--preset", "quick", "--image-size", "64", "--limit-per-class", "8", "--views", "1"];

describe("interrupted runs", () => {
  it("stop cleanly on Ctrl-C and --resume continues from the last finished epoch", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "cxrlab-resume-"));
    let interrupted = false;
    const first = await runCli(
      ["train", "--data", sharedPaths.sample(), "--epochs", "4", "--out", out, ...SMALL],
      {
        onStderr: (text, child) => {
          if (!interrupted && /epoch 2\/4: loss/.test(text)) {
            interrupted = true;
            child.kill("SIGINT");
          }
        },
      },
    );
    expect(interrupted).toBe(true);
    expect(first.code).toBe(130);
    const runDir = path.join(out, readdirSync(out)[0]!);
    const status = JSON.parse(readFileSync(path.join(runDir, "run.json"), "utf8"));
    expect(status.status).toBe("interrupted");
    const state = JSON.parse(readFileSync(path.join(runDir, "checkpoint", "state.json"), "utf8"));
    expect(state.epochsDone).toBeGreaterThanOrEqual(2);
    expect(state.epochsDone).toBeLessThan(4);

    const resumed = parseJson<{ status: string; history: { epoch: number; loss: number }[] }>(
      await runCli(["train", "--resume", runDir, "--json"]),
    );
    expect(resumed.status).toBe("succeeded");
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    // The epochs finished before the interruption are kept as they were.
    expect(resumed.history.slice(0, state.epochsDone)).toEqual(state.history);
  }, 600_000);
});

describe("unreadable images", () => {
  function folderWithCorruptImage(): { dir: string; bad: string } {
    const dir = mkdtempSync(path.join(tmpdir(), "cxrlab-bad-"));
    for (const cls of CLASS_NAMES) {
      mkdirSync(path.join(dir, cls));
      const src = path.join(sharedPaths.sample(), cls);
      for (const f of readdirSync(src).slice(0, 6)) copyFileSync(path.join(src, f), path.join(dir, cls, f));
    }
    const bad = path.join(dir, "Normal", "zz-truncated.png");
    writeFileSync(
      bad,
      readFileSync(path.join(dir, "Normal", readdirSync(path.join(dir, "Normal"))[0]!)).subarray(0, 200),
    );
    return { dir, bad };
  }

  it("stop the run with the file's path, or are skipped and listed with --skip-bad", async () => {
    const { dir, bad } = folderWithCorruptImage();
    const out = mkdtempSync(path.join(tmpdir(), "cxrlab-badruns-"));
    const args = ["train", "--data", dir, "--epochs", "1", "--out", out, ...SMALL];
    const failed = await runCli(args);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(bad);
    expect(failed.stderr).toContain("--skip-bad");

    const skipped = parseJson<{
      status: string;
      skipped: { path: string; reason: string }[];
      files: { report: string };
    }>(await runCli([...args, "--skip-bad", "--json"]));
    expect(skipped.status).toBe("succeeded");
    expect(skipped.skipped.map((s) => s.path)).toEqual([bad]);
    expect(readFileSync(skipped.files.report, "utf8")).toContain(bad);
  }, 600_000);
});
