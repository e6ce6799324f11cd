import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataRootRefused, dataRoots, resolveInDataRoots } from "./data-roots.ts";

describe("data roots (CXRLAB_DATA_ROOTS)", () => {
  const base = mkdtempSync(path.join(os.tmpdir(), "data-roots-"));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, "root");
  const outside = path.join(base, "outside");
  mkdirSync(path.join(root, "Train", "COVID"), { recursive: true });
  mkdirSync(path.join(outside, "secret"), { recursive: true });
  // A link inside the root that leads out of it, and a link to the root (as a configured root).
  symlinkSync(outside, path.join(root, "escape"));
  symlinkSync(root, path.join(base, "root-link"));
  mkdirSync(path.join(base, "root-sibling"), { recursive: true });

  const refusal = async (p: string, roots: string[]) => {
    const error = await resolveInDataRoots([{ field: "data", path: p }], roots).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataRootRefused);
    expect((error as DataRootRefused).field).toBe("data");
    return (error as Error).message;
  };

  it("reads the roots from the environment: none by default, a comma list of absolute folders", () => {
    expect(dataRoots({})).toEqual([]);
    expect(dataRoots({ CXRLAB_DATA_ROOTS: ` ${root} , ,${outside}` })).toEqual([root, outside]);
    expect(() => dataRoots({ CXRLAB_DATA_ROOTS: "data/relative" })).toThrow(/CXRLAB_DATA_ROOTS/);
  });

  it("allows nothing when no root is configured, not even an existing folder", async () => {
    const message = await refusal(path.join(root, "Train"), []);
    expect(message).toMatch(/CXRLAB_DATA_ROOTS/);
  });

  it("resolves a folder inside a root (or the root itself) to its real path", async () => {
    expect(await resolveInDataRoots([{ field: "data", path: path.join(root, "Train") }], [root])).toEqual([
      path.join(root, "Train"),
    ]);
    expect(await resolveInDataRoots([{ field: "data", path: root }], [root])).toEqual([root]);
    // A root given through a symlink is realpath'd, as is the path asked for.
    expect(
      await resolveInDataRoots(
        [{ field: "test", path: path.join(base, "root-link", "Train") }],
        [path.join(base, "root-link")],
      ),
    ).toEqual([path.join(root, "Train")]);
  });

  it("refuses, with one message whether or not the path exists, anything outside the roots", async () => {
    const existing = await refusal(path.join(outside, "secret"), [root]);
    const missing = await refusal(path.join(outside, "no-such-folder"), [root]);
    const missingInside = await refusal(path.join(root, "no-such-folder"), [root]);
    expect(missing).toBe(existing);
    expect(missingInside).toBe(existing);
    expect(existing).not.toMatch(/secret|no-such-folder|exist/i);
    // A symlink inside the root that points out of it, `..` out of it, and a sibling sharing its prefix.
    expect(await refusal(path.join(root, "escape", "secret"), [root])).toBe(existing);
    expect(await refusal(path.join(root, "..", "outside"), [root])).toBe(existing);
    expect(await refusal(path.join(base, "root-sibling"), [root])).toBe(existing);
    // A relative path never resolves against the server's working folder.
    expect(await refusal("Train", [root])).toBe(existing);
  });

  it("names the field refused: test after an allowed data", async () => {
    const error = await resolveInDataRoots(
      [
        { field: "data", path: path.join(root, "Train") },
        { field: "test", path: outside },
      ],
      [root],
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "DataRootRefused", field: "test" });
  });
});
