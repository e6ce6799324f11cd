import { describe, expect, it } from "vitest";
import { formatFixed } from "./format-fixed.ts";

describe("formatFixed", () => {
  it("rounds like Python's format(x, '.Nf'), half to even on exact binary ties", () => {
    // 1/64 = 0.015625 and 3/64 = 0.046875 are exact ties at 5 decimals; toFixed rounds both up.
    expect(formatFixed(0.015625, 5)).toBe("0.01562");
    expect(formatFixed(0.046875, 5)).toBe("0.04688");
    expect(formatFixed(-0.015625, 5)).toBe("-0.01562");
    expect(formatFixed(0.125, 2)).toBe("0.12");
    expect(formatFixed(0.375, 2)).toBe("0.38");
    expect(formatFixed(2.5, 0)).toBe("2");
    expect(formatFixed(0.984375, 5)).toBe("0.98438");
  });

  it("matches toFixed away from ties", () => {
    expect(formatFixed(2 / 3, 5)).toBe("0.66667");
    expect(formatFixed(1, 5)).toBe("1.00000");
    expect(formatFixed(1 / 3, 0)).toBe("0");
    // 1.005 is stored just below the tie, so both round down.
    expect(formatFixed(1.005, 2)).toBe("1.00");
  });
});
