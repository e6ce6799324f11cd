#!/usr/bin/env node
// Fails when a workspace imports one at its own layer or above it. The layers, bottom up:
// validators → core → db → queue and pacs (side by side: neither imports the other) → api → apps (cli,
// web, trainer); an app imports no other app. Checks each
// workspace's package.json dependencies and the `@cxrlab/...` imports of its source files
// (test/ and bench/ span packages and are not checked). It also fails on an import of a subpath
// a package does not export, when the package names its subpaths (no "./*" in its exports),
// there and in test/ and bench/. `npm test` runs it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Each workspace's layer; a workspace may import only workspaces of a lower layer. */
export const LAYERS = {
  validators: 0,
  core: 1,
  db: 2,
  pacs: 3,
  queue: 3,
  api: 4,
  cli: 5,
  web: 5,
  trainer: 5,
};

const SOURCE = /\.(ts|tsx|mts|js|mjs)$/;
const SKIP = new Set(["node_modules", ".next", "generated", "dist", ".turbo"]);
const IMPORT =
  /(?:from\s*|import\s*\(\s*|import\s+|require\s*\(\s*)["']@cxrlab\/([\w-]+)((?:\/[^"']*)?)["']/g;

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (SOURCE.test(entry.name)) yield full;
  }
}

function refusal(from, to) {
  if (!(to in LAYERS)) return `@cxrlab/${to} is no known workspace (add it to LAYERS)`;
  if (from === to) return null;
  if (LAYERS[to] >= LAYERS[from])
    return `${from} (layer ${LAYERS[from]}) may not import ${to} (layer ${LAYERS[to]})`;
  return null;
}

/** Each workspace (packages/*, apps/*) with a package.json: its folder, short name and manifest. */
function* workspaces(root) {
  for (const group of ["packages", "apps"]) {
    let names;
    try {
      names = readdirSync(path.join(root, group));
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = path.join(root, group, name);
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
      } catch {
        continue;
      }
      yield {
        dir,
        label: `${group}/${name}`,
        name: manifest.name?.replace(/^@cxrlab\//, "") ?? name,
        manifest,
      };
    }
  }
}

/** Each import of a workspace package in `file`: the package's short name, subpath and line. */
function* imports(file) {
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(IMPORT))
    yield { to: match[1], subpath: match[2], line: text.slice(0, match.index).split("\n").length };
}

/** The subpaths each workspace package names in its exports; null when it exports "./*" (or has no exports). */
function exportedSubpaths(root) {
  const exported = new Map();
  for (const { name, manifest } of workspaces(root)) {
    // No exports field: Node lets every file be imported, so there is nothing to check.
    const keys = manifest.exports ? Object.keys(manifest.exports) : ["./*"];
    exported.set(name, keys.includes("./*") ? null : keys);
  }
  return exported;
}

function unexported(exported, to, subpath) {
  const keys = exported.get(to);
  if (!keys || keys.includes(`.${subpath}`)) return null;
  return `@cxrlab/${to}${subpath} is not among @cxrlab/${to}'s exports (${keys.join(", ") || "none"})`;
}

/**
 * Every import of `root`'s workspaces that runs up or across a layer, and every import (there and
 * in test/, bench/) of a subpath its package does not export.
 */
export function layerViolations(root) {
  const violations = [];
  const exported = exportedSubpaths(root);
  const check = (file, why) => {
    for (const { to, subpath, line } of imports(file)) {
      const reason = why(to) ?? unexported(exported, to, subpath);
      if (reason) violations.push(`${path.relative(root, file)}:${line}: ${reason}`);
    }
  };
  for (const dir of ["test", "bench"]) {
    const full = path.join(root, dir);
    if (existsSync(full)) for (const file of sourceFiles(full)) check(file, () => null);
  }
  for (const { dir, label, name: from, manifest } of workspaces(root)) {
    if (!(from in LAYERS)) {
      violations.push(`${label}: workspace ${from} has no layer (add it to LAYERS)`);
      continue;
    }
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
      if (!dep.startsWith("@cxrlab/")) continue;
      const why = refusal(from, dep.slice("@cxrlab/".length));
      if (why) violations.push(`${label}/package.json: ${why}`);
    }
    for (const file of sourceFiles(dir)) check(file, (to) => refusal(from, to));
  }
  return violations;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const violations = layerViolations(root);
  if (violations.length) {
    process.stderr.write(
      `check-layers: ${violations.length} import(s) against apps → api → queue → db → core → validators or a package's exports:\n` +
        violations.map((v) => `  ${v}\n`).join(""),
    );
    process.exit(1);
  }
}
