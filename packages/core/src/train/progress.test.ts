import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PhaseMeter, type ProgressEvent } from "./progress.ts";

describe("PhaseMeter", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports done, total, rate and ETA as work advances", () => {
    const events: ProgressEvent[] = [];
    const meter = new PhaseMeter((e) => events.push(e), { phase: "train", epoch: 2, epochs: 5, total: 100 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ phase: "train", epoch: 2, epochs: 5, done: 0, total: 100, rate: 0 });
    expect(events[0]!.etaSeconds).toBeNaN();

    vi.advanceTimersByTime(2000);
    meter.advance(10, { loss: 0.5 });
    expect(events[1]).toMatchObject({ done: 10, total: 100, metrics: { loss: 0.5 } });
    expect(events[1]!.rate).toBeCloseTo(5, 6);
    expect(events[1]!.etaSeconds).toBeCloseTo(18, 6);

    vi.advanceTimersByTime(2000);
    meter.advance(30);
    expect(events[2]).toMatchObject({ done: 40 });
    expect(events[2]).not.toHaveProperty("metrics");
    expect(events[2]!.rate).toBeCloseTo(10, 6);
    expect(events[2]!.etaSeconds).toBeCloseTo(6, 6);
    expect(meter.seconds).toBeCloseTo(4, 6);
  });

  it("counts without a listener", () => {
    const meter = new PhaseMeter(undefined, { phase: "test", total: 3 });
    vi.advanceTimersByTime(1500);
    meter.advance(3);
    expect(meter.seconds).toBeCloseTo(1.5, 6);
  });
});
