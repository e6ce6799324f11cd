import { describe, expect, it } from "vitest";
import { linearScale, niceTicks, tickFormat } from "./axes.ts";
import { colormap } from "./colormap.ts";
import { escapeXml, num } from "./svg.ts";

describe("niceTicks", () => {
  it("covers the range with round steps", () => {
    // Range 0.29 over at most 6 intervals -> rough step 0.048 -> 0.05, from 0.70 up to 1.00.
    expect(niceTicks(0.71, 1, 7)).toEqual([0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1]);
    // 0.62 / 6 = 0.103 is just over 0.1, so the step is 0.2.
    expect(niceTicks(0, 0.62, 7)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(1, 50, 10)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0, 104, 6)).toEqual([0, 25, 50, 75, 100, 125]);
  });

  it("widens a single value into a range and rejects non-finite bounds", () => {
    expect(niceTicks(1, 1, 3)).toEqual([0.5, 1, 1.5]);
    expect(() => niceTicks(0, Number.NaN)).toThrow("cannot place ticks");
  });

  it("formats ticks with the decimals the step needs", () => {
    expect([0.7, 0.75, 1].map(tickFormat([0.7, 0.75, 1]))).toEqual(["0.70", "0.75", "1.00"]);
    expect([0, 50].map(tickFormat([0, 50]))).toEqual(["0", "50"]);
  });
});

describe("svg helpers", () => {
  it("maps data to pixels linearly, flipping when the range is reversed", () => {
    const y = linearScale([0, 1], [400, 100]);
    expect([y(0), y(0.5), y(1)]).toEqual([400, 250, 100]);
  });

  it("escapes markup and rounds coordinates", () => {
    expect(escapeXml(`A & B <"x">'`)).toBe("A &amp; B &lt;&quot;x&quot;&gt;&apos;");
    expect([num(1.23456), num(-0.001), num(10)]).toEqual(["1.23", "0", "10"]);
  });

  it("interpolates the Blues colormap", () => {
    expect(colormap(0)).toBe("#f7fbff");
    expect(colormap(1)).toBe("#08306b");
    // Stop 4 of 0..8 sits at t = 0.5; halfway between stops 0 and 1 (#f7fbff, #deebf7) at t = 1/16.
    expect(colormap(0.5)).toBe("#6baed6");
    expect(colormap(1 / 16)).toBe("#ebf3fb");
  });
});
