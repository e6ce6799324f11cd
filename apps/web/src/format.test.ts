import { describe, expect, it } from "vitest";
import { accountName, day, dicomDay, personName } from "./format.ts";

describe("patient formats", () => {
  it("writes study dates as their UTC day", () => {
    expect(day(new Date("2024-05-02T00:00:00Z"))).toBe("2024-05-02");
    expect(day(new Date("2024-05-02T23:59:59Z"))).toBe("2024-05-02");
    expect(day("2023-06-01T00:00:00.000Z")).toBe("2023-06-01");
    expect(day(null)).toBe("—");
    expect(day("not a date")).toBe("—");
  });

  it("writes DICOM DA dates with dashes and leaves other text alone", () => {
    expect(dicomDay("19700102")).toBe("1970-01-02");
    expect(dicomDay("1970")).toBe("1970");
    expect(dicomDay(null)).toBe("—");
  });

  it("writes DICOM person names family first", () => {
    expect(personName("DOE^JANE")).toBe("DOE, JANE");
    expect(personName("DOE^JANE^Q^DR")).toBe("DOE, JANE Q DR");
    expect(personName("DOE")).toBe("DOE");
    expect(personName("^JANE")).toBe("JANE");
    expect(personName("  ")).toBe("—");
    expect(personName(null)).toBe("—");
  });
});

describe("account names", () => {
  it("names an account by its name, else its email, and says when it was deleted", () => {
    expect(accountName({ name: "Ada", email: "ada@lab.org" })).toBe("Ada");
    expect(accountName({ name: "", email: "ada@lab.org" })).toBe("ada@lab.org");
    expect(accountName(null)).toBe("a deleted account");
  });
});
