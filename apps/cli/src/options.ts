import { existsSync, statSync } from "node:fs";
import { BACKENDS, type BackendName } from "@cxrlab/core/backend/select";
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

export function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError("expected a number in [0, 1).");
  return n;
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

/** A folder that must exist; checked when the command runs so the error names the flag. */
export function existingDir(flag: string, value: string): string {
  if (!existsSync(value)) throw new Error(`${flag} ${value}: no such folder`);
  if (!statSync(value).isDirectory()) throw new Error(`${flag} ${value}: not a folder`);
  return value;
}
