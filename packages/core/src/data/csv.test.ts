import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv.ts";

describe("parseCsv", () => {
  it("reads quoted fields with commas, escaped quotes and line breaks, CRLF and a BOM", () => {
    const text = '\uFEFFfile,patient_id\r\n"a,b.png", P1 \r\n\r\n"say ""hi""\nthere",P2';
    expect(parseCsv(text, "s.csv")).toEqual([
      { file: "a,b.png", patient_id: "P1" },
      { file: 'say "hi"\nthere', patient_id: "P2" },
    ]);
  });

  it("names the file and line of a row with the wrong number of fields", () => {
    expect(() => parseCsv("a,b\n1,2\n3\n", "s.csv")).toThrow("s.csv:3: 1 fields, the header has 2");
  });
});
