import { describe, expect, it } from "vitest";
import { agreementTrendSvg } from "./agreement-trend.ts";

describe("agreementTrendSvg", () => {
  it("draws a dot and whisker per reviewed window and a band per drifted one", () => {
    const svg = agreementTrendSvg([
      { label: "2026-11-30", accuracy: 0.75, lower: 0.5, upper: 1, cases: 8, drift: false },
      { label: "2026-12-07", accuracy: null, lower: null, upper: null, cases: 0, drift: true },
      { label: "2026-12-14", accuracy: 0.5, lower: 0.2, upper: 0.8, cases: 6, drift: false },
    ]);
    expect(svg.match(/data-window=/g)).toHaveLength(2);
    expect(svg).toContain('data-window="2026-11-30" data-accuracy="0.75"');
    expect(svg).toContain('data-drift="2026-12-07"');
    expect(svg).toContain("2026-12-14: 50.0% of 6 (95% CI 20.0–80.0%)");
    expect(() => agreementTrendSvg([])).toThrow(/at least one window/);
  });
});
