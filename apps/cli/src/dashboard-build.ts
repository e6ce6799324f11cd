import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { REPO_ROOT } from "@cxrlab/core/paths";
import { formatDuration } from "@cxrlab/queue/runners";

export const WEB_DIR = path.join(REPO_ROOT, "apps", "web");
/** Written last by `next build`: the production build is complete. */
const WEB_BUILD_ID = path.join(WEB_DIR, ".next", "BUILD_ID");

/** What the production build of apps/web is made from (it bundles the workspace packages). */
const BUILD_INPUT_DIRS = ["apps/web", "packages/api/src", "packages/db/src", "packages/core/src"];
const BUILD_INPUT_FILES = ["package-lock.json", "prisma/sqlite/schema.prisma"];

/**
 * Why apps/web needs a (re)build, or null when its build is newer than every source it is made
 * from: a build older than the code would serve pages that no longer match the store's schema.
 */
export function dashboardBuildStaleness(): string | null {
  if (!existsSync(WEB_BUILD_ID)) return "apps/web has no production build yet";
  const built = statSync(WEB_BUILD_ID).mtimeMs;
  const inputs = [
    ...listSourceFiles(BUILD_INPUT_DIRS.map((p) => path.join(REPO_ROOT, p))),
    ...BUILD_INPUT_FILES.map((p) => path.join(REPO_ROOT, p)).filter((f) => existsSync(f)),
  ];
  // next build rewrites these itself before it writes BUILD_ID.
  const changed = inputs.find(
    (f) => !/(next-env\.d\.ts|\.tsbuildinfo)$/.test(f) && statSync(f).mtimeMs > built,
  );
  return changed ? `${path.relative(REPO_ROOT, changed)} changed since the last build` : null;
}

/** `next build` in apps/web, its progress shown on stderr; `cancel` stops it. Resolves to what it printed. */
export async function buildDashboard(cancel?: AbortSignal): Promise<string> {
  const started = Date.now();
  const build = spawn(process.execPath, [nextBin(), "build"], {
    cwd: WEB_DIR,
    env: nextEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    ...(cancel ? { signal: cancel } : {}),
  });
  let printed = "";
  for (const stream of [build.stdout, build.stderr]) {
    stream.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      printed += chunk.toString();
    });
  }
  const { code, signal } = await exitOf(build);
  if (code !== 0) {
    throw new Error(
      `next build in ${WEB_DIR} failed (${signal ?? `exit code ${code}`}); its output is above`,
    );
  }
  process.stderr.write(`serve: built the dashboard in ${formatDuration((Date.now() - started) / 1000)}\n`);
  return printed;
}

export function nextBin(): string {
  return createRequire(path.join(WEB_DIR, "package.json")).resolve("next/dist/bin/next");
}

/** No telemetry: the machine may be offline, and a dashboard over local runs has nothing to report. */
export function nextEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/**
 * Files under `roots` in a stable order, leaving out tests, build output, node_modules and the
 * folders named in `skip`.
 */
export function listSourceFiles(roots: string[], skip: string[] = []): string[] {
  const skipped = new Set([".next", "node_modules", ...skip]);
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skipped.has(entry.name)) walk(full);
      } else if (!/\.test\.tsx?$/.test(entry.name)) {
        out.push(full);
      }
    }
  };
  for (const root of roots) if (existsSync(root) && statSync(root).isDirectory()) walk(root);
  return out;
}
