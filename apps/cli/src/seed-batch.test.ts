import { Command, InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { MAX_SEEDS, seedList } from "./options.ts";
import { flagsPerSeed, seedBatchTag, seedsOption } from "./seed-batch.ts";

describe("--seeds", () => {
  it("takes distinct whole numbers of at least 1, comma-separated, at most MAX_SEEDS", () => {
    expect(seedList("1,2,3")).toEqual([1, 2, 3]);
    expect(seedList(" 7 , 3")).toEqual([7, 3]);
    expect(seedList("42")).toEqual([42]);
    expect(seedList(Array.from({ length: MAX_SEEDS }, (_, i) => i + 1).join(","))).toHaveLength(MAX_SEEDS);
    const refusal = (value: string) => {
      try {
        seedList(value);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidArgumentError);
        return (err as Error).message;
      }
      throw new Error(`--seeds ${value} was accepted`);
    };
    expect(refusal("1,1")).toBe("seed 1 is given twice.");
    expect(refusal("1,x")).toBe('seed "x" is not a whole number of at least 1.');
    expect(refusal("0,1")).toBe('seed "0" is not a whole number of at least 1.');
    expect(refusal("1,,2")).toBe('seed "" is not a whole number of at least 1.');
    expect(refusal("-1")).toBe('seed "-1" is not a whole number of at least 1.');
    expect(refusal("1.5")).toBe('seed "1.5" is not a whole number of at least 1.');
    expect(refusal(Array.from({ length: MAX_SEEDS + 1 }, (_, i) => i + 1).join(","))).toBe(
      `${MAX_SEEDS + 1} seeds; at most ${MAX_SEEDS} runs at once.`,
    );
  });

  it("is refused with --seed or --resume, naming both flags", () => {
    const parse = (...args: string[]) => {
      const cmd = new Command("train")
        .exitOverride()
        .configureOutput({ writeErr: () => {} })
        .option("--seed <n>")
        .option("--resume <dir>")
        .addOption(seedsOption());
      cmd.parse(args, { from: "user" });
      return cmd.opts();
    };
    expect(parse("--seeds", "3,1")).toEqual({ seeds: [3, 1] });
    expect(() => parse("--seeds", "1,2", "--seed", "3")).toThrow(
      "option '--seeds <list>' cannot be used with option '--seed <n>'",
    );
    expect(() => parse("--resume", "runs/x", "--seeds", "1,2")).toThrow(
      "option '--seeds <list>' cannot be used with option '--resume <dir>'",
    );
    expect(() => parse("--seeds", "2,2")).toThrow(
      "option '--seeds <list>' argument '2,2' is invalid. seed 2 is given twice.",
    );
  });

  it("gives each seed's run its seed and the batch's tag beside the user's tags", () => {
    const tag = seedBatchTag();
    expect(tag).toMatch(/^seeds:\d{8}T\d{6}-[0-9a-f]{6}$/);
    const flags = { preset: "quick", seeds: [5, 6], tag: ["mine"] };
    expect(flagsPerSeed(flags, [5, 6], tag)).toEqual([
      { preset: "quick", seed: 5, tag: ["mine", tag] },
      { preset: "quick", seed: 6, tag: ["mine", tag] },
    ]);
    expect(flagsPerSeed({ preset: "quick", seed: 9 }, [1], tag)).toEqual([
      { preset: "quick", seed: 1, tag: [tag] },
    ]);
  });
});
