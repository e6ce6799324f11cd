import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The training folder a run was trained on (its inputs.json), for a run's model folder. */
export function runTrainingFolder(modelDir: string): string | null {
  const inputs = path.join(path.dirname(modelDir), "inputs.json");
  if (!existsSync(inputs)) return null;
  const data = (JSON.parse(readFileSync(inputs, "utf8")) as { data?: unknown }).data;
  return typeof data === "string" ? data : null;
}
