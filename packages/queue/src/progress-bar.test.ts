import type { ProgressEvent } from "@cxrlab/core/train/progress";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgressBar, formatDuration } from "./progress-bar.ts";

/** A stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, write: (s: string) => writes.push(s) > 0 };
  return { stream: stream as unknown as NodeJS.WriteStream, writes };
}

const event = (done: number, over: Partial<ProgressEvent> = {}): ProgressEvent => ({
  phase: "train",
  epoch: 1,
  epochs: 3,
  done,
  total: 100,
  rate: 12.5,
  etaSeconds: (100 - done) / 12.5,
  ...over,
});

describe("formatDuration", () => {
  it("formats seconds as mm:ss, h:mm:ss past an hour, and --:-- when unknown", () => {
    expect(formatDuration(0)).toBe("00:00");
    expect(formatDuration(59.4)).toBe("00:59");
    expect(formatDuration(59.6)).toBe("01:00");
    expect(formatDuration(754)).toBe("12:34");
    expect(formatDuration(3600)).toBe("1:00:00");
    expect(formatDuration(3 * 3600 + 5 * 60 + 7)).toBe("3:05:07");
    expect(formatDuration(Number.NaN)).toBe("--:--");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("--:--");
  });
});

describe("createProgressBar", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes one plain line per 10% and one at the end when not on a terminal", () => {
    const { stream, writes } = fakeStream(false);
    const draw = createProgressBar(stream);
    for (let done = 0; done <= 100; done += 3) draw(event(done));
    draw(event(100, { metrics: { loss: 0.25, accuracy: 0.875 } }));
    // 0, 9 (skipped: still 0%), 12, 21, ..., 99 and the final 100: one line per decile.
    expect(writes).toHaveLength(11);
    expect(writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).toBe(true);
    expect(writes[0]).toBe(`training 1/3 [${"-".repeat(24)}] 0/100 12.5 img/s ETA 00:08\n`);
    expect(writes[10]).toBe(
      `training 1/3 [${"#".repeat(24)}] 100/100 12.5 img/s ETA 00:00 loss 0.2500 accuracy 0.8750\n`,
    );
  });

  it("starts counting again in a new phase or epoch", () => {
    const { stream, writes } = fakeStream(false);
    const draw = createProgressBar(stream);
    draw(event(100));
    draw(event(0, { epoch: 2 }));
    draw(event(0, { phase: "validate", epoch: undefined, epochs: undefined, total: 10 }));
    expect(writes).toHaveLength(3);
    expect(writes[1]).toMatch(/^training 2\/3 \[/);
    expect(writes[2]).toMatch(/^validating \[-+\] 0\/10 /);
  });

  it("writes a line at least every 30 seconds in a slow phase", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { stream, writes } = fakeStream(false);
    const draw = createProgressBar(stream);
    draw(event(1));
    draw(event(2));
    expect(writes).toHaveLength(1);
    vi.advanceTimersByTime(31_000);
    draw(event(3));
    expect(writes).toHaveLength(2);
  });

  it("redraws one line in place on a terminal", () => {
    const { stream, writes } = fakeStream(true);
    const draw = createProgressBar(stream);
    draw(event(0));
    draw(event(1));
    draw(event(0, { phase: "validate", epoch: undefined, epochs: undefined }));
    expect(writes).toHaveLength(4);
    expect(writes[0]!.startsWith("\r") && writes[0]!.endsWith("\x1b[K")).toBe(true);
    expect(writes[2]).toBe("\n");
  });
});
