import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/** `<root>/<UTC timestamp>-<name>`, made unique if two runs start in the same second. */
export async function createRunDir(root: string, name: string): Promise<string> {
  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/g, "-")
    .replace(/-\d{3}Z$/, "Z");
  const slug = name.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 60) || "run";
  let dir = path.join(root, `${stamp}-${slug}`);
  for (let i = 2; existsSync(dir); i++) dir = path.join(root, `${stamp}-${slug}-${i}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

export async function readJson<T>(file: string, what: string): Promise<T> {
  if (!existsSync(file)) throw new Error(`${what} not found: ${file}`);
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (err) {
    throw new Error(`${what} ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** RFC 4180 CSV: quotes fields holding commas, quotes or newlines. */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(",")).join("\n")}\n`;
}
