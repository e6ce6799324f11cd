import { existsSync, statSync } from "node:fs";

/** A folder that must exist; checked when the command runs so the error names the flag. */
export function existingDir(flag: string, value: string): string {
  if (!existsSync(value)) throw new Error(`${flag} ${value}: no such folder`);
  if (!statSync(value).isDirectory()) throw new Error(`${flag} ${value}: not a folder`);
  return value;
}
