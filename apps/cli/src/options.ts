import { BACKENDS, type BackendName } from "@cxrlab/core/backend";
import { InvalidArgumentError } from "commander";

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1.");
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number of at least 0.");
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number greater than 0.");
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError("expected a number of at least 0.");
  return n;
}

/** A whole number in 1..max (the bounds of core's config schema, CONFIG_LIMITS). */
export function intUpTo(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max)
      throw new InvalidArgumentError(`expected a whole number from 1 to ${max}.`);
    return n;
  };
}

/** A number in (0, max]. */
export function numberUpTo(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max)
      throw new InvalidArgumentError(`expected a number greater than 0 and at most ${max}.`);
    return n;
  };
}

export function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError("expected a number in [0, 1).");
  return n;
}

/** Most runs one `--seeds` starts: each is a whole training run. */
export const MAX_SEEDS = 10;

/** `--seeds 1,2,3`: distinct whole numbers of at least 1, at most MAX_SEEDS of them. */
export function seedList(value: string): number[] {
  const seeds = value.split(",").map((part) => {
    try {
      return positiveInt(part.trim());
    } catch {
      throw new InvalidArgumentError(`seed "${part.trim()}" is not a whole number of at least 1.`);
    }
  });
  const repeated = seeds.find((seed, i) => seeds.indexOf(seed) !== i);
  if (repeated !== undefined) throw new InvalidArgumentError(`seed ${repeated} is given twice.`);
  if (seeds.length > MAX_SEEDS) {
    throw new InvalidArgumentError(`${seeds.length} seeds; at most ${MAX_SEEDS} runs at once.`);
  }
  return seeds;
}

/** `--freeze-until N|all`. */
export function freezeUntil(value: string): number | "all" {
  if (value === "all") return "all";
  try {
    return nonNegativeInt(value);
  } catch {
    throw new InvalidArgumentError('expected a layer index (0 = fine-tune everything) or "all".');
  }
}

export function backendName(value: string): BackendName {
  if (!(BACKENDS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${BACKENDS.join(", ")}.`);
  }
  return value as BackendName;
}
