import { describe, expect, it } from "vitest";
import { mentionNames, mentionTokens, splitMentions } from "./mentions.ts";

describe("comment mentions", () => {
  it("finds @local-part and @email mentions, not the @ inside a plain email address", () => {
    const body = "@Bob.Smith see this; cc @ana@Lab.org, ops@home.org and @carol.";
    expect(mentionTokens(body)).toEqual(["bob.smith", "ana@lab.org", "carol"]);
    expect(splitMentions(body)).toEqual([
      { text: "@Bob.Smith", mention: "bob.smith" },
      { text: " see this; cc " },
      { text: "@ana@Lab.org", mention: "ana@lab.org" },
      { text: ", ops@home.org and " },
      { text: "@carol", mention: "carol" },
      { text: "." },
    ]);
    // The parts put together are the body, character for character.
    expect(
      splitMentions(body)
        .map((p) => p.text)
        .join(""),
    ).toBe(body);
  });

  it("gives one token per name and nothing for a bare @", () => {
    expect(mentionTokens("@ana and @ANA again, and @ alone, and @.")).toEqual(["ana"]);
    expect(splitMentions("no mentions")).toEqual([{ text: "no mentions" }]);
  });

  it("matches a name against an email: the whole address or its local part", () => {
    expect(mentionNames("ana", "Ana@lab.org")).toBe(true);
    expect(mentionNames("ana@lab.org", "Ana@Lab.org")).toBe(true);
    expect(mentionNames("ana@other.org", "ana@lab.org")).toBe(false);
    expect(mentionNames("an", "ana@lab.org")).toBe(false);
  });
});
