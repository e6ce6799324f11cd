import type { ProgressEvent } from "@cxrlab/core/train/progress";
import type { RunProgressUpdate } from "@cxrlab/db";
import { describe, expect, it } from "vitest";
import { createProgressRecorder } from "./progress-recorder.ts";

const event = (phase: ProgressEvent["phase"], done: number, total = 100, epoch?: number): ProgressEvent => ({
  phase,
  done,
  total,
  rate: 5,
  etaSeconds: (total - done) / 5,
  ...(epoch ? { epoch, epochs: 3 } : {}),
});

const settle = () => new Promise((r) => setImmediate(r));

/** A store write that takes until `finish()` is called. */
function slowWriter() {
  const written: RunProgressUpdate[] = [];
  const pending: (() => void)[] = [];
  return {
    written,
    write: (u: RunProgressUpdate) =>
      new Promise<void>((resolve) => {
        written.push(u);
        pending.push(resolve);
      }),
    finishAll: async () => {
      while (pending.length) {
        pending.shift()!();
        await settle();
      }
    },
  };
}

describe("createProgressRecorder", () => {
  it("writes at phase and epoch changes, phase ends and otherwise at most every interval", async () => {
    let clock = 0;
    const written: RunProgressUpdate[] = [];
    const recorder = createProgressRecorder(async (u) => void written.push(u), {
      intervalMs: 2000,
      now: () => clock,
    });
    recorder.record(event("cache", 0));
    for (let done = 1; done <= 100; done++) {
      clock += 100; // an event every 0.1 s
      recorder.record(event("cache", done));
      await settle();
    }
    recorder.record(event("train", 0, 50, 1));
    await settle();
    recorder.record(event("train", 0, 50, 2));
    await recorder.stop();
    const cache = written.filter((w) => w.phase === "cache").map((w) => w.done);
    // 10 s of events: the first, one per 2 s, and the last.
    expect(cache).toEqual([0, 20, 40, 60, 80, 100]);
    expect(written.slice(-2)).toEqual([
      { phase: "train", epoch: 1, epochs: 3, done: 0, total: 50, imagesPerSecond: 5, etaSeconds: 10 },
      { phase: "train", epoch: 2, epochs: 3, done: 0, total: 50, imagesPerSecond: 5, etaSeconds: 10 },
    ]);
  });

  it("never overlaps writes, keeps only the newest waiting event, and drops it on stop", async () => {
    const writer = slowWriter();
    const recorder = createProgressRecorder(writer.write, { intervalMs: 0 });
    recorder.record(event("test", 1));
    recorder.record(event("test", 2));
    recorder.record(event("test", 3));
    expect(writer.written.map((w) => w.done)).toEqual([1]);
    await writer.finishAll();
    expect(writer.written.map((w) => w.done)).toEqual([1, 3]);
    recorder.record(event("test", 4));
    recorder.record(event("test", 5));
    const stopped = recorder.stop();
    await writer.finishAll();
    await stopped;
    recorder.record(event("test", 6));
    expect(writer.written.map((w) => w.done)).toEqual([1, 3, 4]);
  });

  it("warns once when the store fails and keeps training going", async () => {
    const warnings: string[] = [];
    const recorder = createProgressRecorder(() => Promise.reject(new Error("database is locked")), {
      intervalMs: 0,
      warn: (m) => warnings.push(m),
    });
    for (let i = 0; i < 5; i++) {
      recorder.record(event("train", i, 5, 1));
      await settle();
    }
    await recorder.stop();
    expect(warnings).toEqual(["could not record progress in the store: database is locked"]);
  });
});
