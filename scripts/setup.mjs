#!/usr/bin/env node
// Makes a fresh checkout ready: installs the locked dependencies when they are missing or stale,
// regenerates the Prisma clients when a schema changed since (e.g. after a pull), and checks that the shared data and weights are beside the checkout. `--quiet`: say nothing
// when there is nothing to do.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const quiet = process.argv.includes("--quiet");
const say = (line) => process.stderr.write(`setup: ${line}\n`);

const lock = path.join(root, "package-lock.json");
const installed = path.join(root, "node_modules", ".package-lock.json");
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  say("installing dependencies (npm ci; the first time takes a few minutes)...");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
    // onnxruntime-node would otherwise download its CUDA provider at install time.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL_CUDA: "skip" },
  });
} else if (!quiet) {
  say("dependencies are up to date");
}

// npm ci generates the clients (db's postinstall); a pulled schema change without a lockfile
// change would otherwise leave a client that does not know the new tables and columns.
const generatedAt = (provider) => {
  const client = path.join(root, "packages", "db", "src", "generated", provider, "client.ts");
  return existsSync(client) ? statSync(client).mtimeMs : 0;
};
const schemaChanged = ["sqlite", "postgresql"].some(
  (provider) =>
    generatedAt(provider) < statSync(path.join(root, "prisma", provider, "schema.prisma")).mtimeMs,
);
if (schemaChanged) {
  say("the database schema changed: regenerating the Prisma clients...");
  execFileSync("npm", ["run", "--silent", "-w", "@cxrlab/db", "db:generate"], {
    cwd: root,
    stdio: "inherit",
  });
}

const shared = path.resolve(process.env.CXRLAB_SHARED ?? path.join(root, "..", "shared"));
if (!existsSync(path.join(shared, "data", "cxr-sample"))) {
  say(`warning: no shared data at ${shared} (set CXRLAB_SHARED, or pass --data and --weights)`);
} else if (!quiet) {
  say(`shared data and weights: ${shared}`);
}
