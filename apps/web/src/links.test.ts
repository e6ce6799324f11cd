import { describe, expect, it } from "vitest";
import { safeNext } from "./links.ts";

describe("safeNext", () => {
  it("keeps paths of this dashboard with their query and fragment", () => {
    expect(safeNext("/runs/3?tab=curves#loss")).toBe("/runs/3?tab=curves#loss");
    expect(safeNext("/account/password?next=%2Fruns%2F1")).toBe("/account/password?next=%2Fruns%2F1");
  });

  it("refuses every spelling a browser reads as another host", () => {
    for (const raw of [
      "//evil.example",
      "/\\evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/\\/evil.example",
      "https://evil.example/runs",
      "javascript:alert(1)",
      "runs",
      "",
      undefined,
    ]) {
      expect(safeNext(raw), JSON.stringify(raw)).toBe("/runs");
    }
  });
});
