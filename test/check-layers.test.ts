/** The layer check `npm test` runs (scripts/check-layers.mjs): apps → api → queue → db → core → validators. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain script, without type declarations
import { layerViolations } from "../scripts/check-layers.mjs";

const check = layerViolations as (root: string) => string[];

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function workspace(dir: string, name: string, files: Record<string, string>, deps: string[] = []) {
  const full = path.join(root, dir);
  mkdirSync(path.join(full, "src"), { recursive: true });
  const dependencies = Object.fromEntries(deps.map((d) => [d, "*"]));
  writeFileSync(path.join(full, "package.json"), JSON.stringify({ name, dependencies }));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(full, "src", file), text);
}

describe("layer check", () => {
  it("passes on this repository", () => {
    root = mkdtempSync(path.join(tmpdir(), "layers-"));
    expect(check(path.resolve(import.meta.dirname, ".."))).toEqual([]);
  });

  it("passes imports that run down the layers", () => {
    root = mkdtempSync(path.join(tmpdir(), "layers-"));
    workspace("packages/core", "@cxrlab/core", { "a.ts": 'import { z } from "zod";\n' });
    workspace("packages/db", "@cxrlab/db", { "a.ts": 'import { x } from "@cxrlab/core/config";\n' });
    workspace("packages/api", "@cxrlab/api", { "a.ts": 'export * from "@cxrlab/queue";\n' }, [
      "@cxrlab/queue",
    ]);
    workspace("apps/cli", "@cxrlab/cli", { "a.ts": 'await import("@cxrlab/api");\n' });
    expect(check(root)).toEqual([]);
  });

  it("fails on a deliberate back-edge, in source or in package.json, and on an app importing an app", () => {
    root = mkdtempSync(path.join(tmpdir(), "layers-"));
    workspace("packages/db", "@cxrlab/db", {
      "ok.ts": "\n",
      "bad.ts": '\nimport type { Job } from "@cxrlab/queue";\n',
    });
    workspace("packages/api", "@cxrlab/api", { "a.ts": "\n" }, ["@cxrlab/trainer"]);
    // Spelled in two parts so that the check does not find these imports in this file itself.
    workspace("apps/cli", "@cxrlab/cli", { "a.ts": `import "@cxrlab${"/"}web";\n` });
    expect(check(root).sort()).toEqual([
      "apps/cli/src/a.ts:1: cli (layer 5) may not import web (layer 5)",
      "packages/api/package.json: api (layer 4) may not import trainer (layer 5)",
      "packages/db/src/bad.ts:2: db (layer 2) may not import queue (layer 3)",
    ]);
  });

  it("keeps pacs and queue side by side: api may import either, neither the other", () => {
    root = mkdtempSync(path.join(tmpdir(), "layers-"));
    workspace("packages/pacs", "@cxrlab/pacs", { "a.ts": 'import "@cxrlab/db";\nimport "@cxrlab/queue";\n' });
    workspace("packages/queue", "@cxrlab/queue", { "a.ts": "\n" }, ["@cxrlab/pacs"]);
    workspace("packages/api", "@cxrlab/api", { "a.ts": 'import "@cxrlab/pacs";\nimport "@cxrlab/queue";\n' });
    expect(check(root).sort()).toEqual([
      "packages/pacs/src/a.ts:2: pacs (layer 3) may not import queue (layer 3)",
      "packages/queue/package.json: queue (layer 3) may not import pacs (layer 3)",
    ]);
  });

  it("fails on an import of a subpath a package does not name in its exports", () => {
    root = mkdtempSync(path.join(tmpdir(), "layers-"));
    workspace("packages/core", "@cxrlab/core", { "a.ts": "\n" });
    const manifest = path.join(root, "packages/core/package.json");
    writeFileSync(
      manifest,
      JSON.stringify({ name: "@cxrlab/core", exports: { "./config": "./src/config.ts" } }),
    );
    const [ok, hidden] = [`@cxrlab${"/"}core/config`, `@cxrlab${"/"}core/secret`];
    workspace("packages/db", "@cxrlab/db", { "a.ts": `import "${ok}";\nimport "${hidden}";\n` });
    expect(check(root)).toEqual([
      "packages/db/src/a.ts:2: @cxrlab/core/secret is not among @cxrlab/core's exports (./config)",
    ]);
  });
});
