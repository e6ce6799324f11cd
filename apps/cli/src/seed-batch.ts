import { randomBytes } from "node:crypto";
import { Option } from "commander";
import { MAX_SEEDS, seedList } from "./options.ts";

/** `--seeds`, for `train` and `queue add`: one run per seed instead of one with --seed. */
export function seedsOption(): Option {
  return new Option(
    "--seeds <list>",
    `comma-separated seeds (at most ${MAX_SEEDS}): one run per seed, tagged seeds:<batch id>`,
  )
    .argParser(seedList)
    .conflicts(["seed", "resume"]);
}

/** The tag that finds the runs of one `--seeds` batch together: `seeds:<UTC time>-<6 random hex digits>`. */
export function seedBatchTag(): string {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "");
  return `seeds:${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Each seed's run flags: the batch's flags with that seed, and the batch's tag beside the user's. */
export function flagsPerSeed<F extends { seed?: number; seeds?: number[]; tag?: string[] }>(
  flags: F,
  seeds: readonly number[],
  batchTag: string,
): (F & { seed: number })[] {
  const { seeds: _seeds, ...common } = flags;
  return seeds.map((seed) => ({ ...(common as F), seed, tag: [...(flags.tag ?? []), batchTag] }));
}
