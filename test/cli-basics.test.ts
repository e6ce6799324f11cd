import { describe, expect, it } from "vitest";
import { parseJson, runCli } from "./helpers.ts";

describe("cxrlab model summary", () => {
  it("prints the reference network's exact parameter counts", async () => {
    const result = await runCli(["model", "summary", "--freeze-until", "369", "--json"]);
    expect(result.code).toBe(0);
    expect(parseJson(result)).toMatchObject({
      architecture: "densenet169",
      imageSize: 256,
      layers: 601,
      totalParams: 13528387,
      trainableParams: 6802435,
      nonTrainableParams: 6725952,
      firstTrainableLayer: "conv5_block1_0_bn",
    });
    expect(result.stderr).toContain("backend: wasm");
  });

  it("builds DenseNet121 and 201 from the same builder", async () => {
    const d121 = parseJson(await runCli(["model", "summary", "--architecture", "densenet121", "--json"]));
    const d201 = parseJson(await runCli(["model", "summary", "--architecture", "densenet201", "--json"]));
    // Keras: DenseNet121 has 7,037,504 backbone params, DenseNet201 18,321,984 (include_top=False).
    const head = (features: number) => features * 512 + 512 + 512 * 64 + 64 + 64 * 3 + 3;
    expect(d121.totalParams).toBe(7037504 + head(1024));
    expect(d201.totalParams).toBe(18321984 + head(1920));
  });
});

describe("bad input", () => {
  it("rejects a malformed flag value, naming the flag", async () => {
    const result = await runCli(["train", "--data", ".", "--epochs", "ten"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--epochs");
  });

  it("refuses run settings beyond their bounds before reading anything, naming the flag and the bound", async () => {
    for (const [flag, value, bound] of [
      ["--epochs", "5000", "1000"],
      ["--batch-size", "4096", "1024"],
      ["--micro-batch-size", "2048", "1024"],
      ["--lr", "50", "10"],
    ] as const) {
      const result = await runCli(["train", "--data", "/no/such/folder", flag, value]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(flag);
      expect(result.stderr).toContain(bound);
      expect(result.stderr).not.toContain("/no/such/folder");
    }
  });

  it("login refuses plain http to another machine without --insecure, before sending anything", async () => {
    const result = await runCli(["login", "--server", "http://cxrlab.example.org", "--token", "cxr_x"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--insecure");
    expect(result.stderr).toContain("https://cxrlab.example.org");
  });

  it("rejects a missing data folder, naming it", async () => {
    const result = await runCli(["train", "--data", "/no/such/folder"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("/no/such/folder");
  });

  it("rejects a model folder that holds no model", async () => {
    const result = await runCli(["evaluate", "--model", ".", "--data", "."]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no trained model/);
  });

  it("rejects an unknown preset", async () => {
    const result = await runCli(["train", "--preset", "fastest", "--data", "."]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/fastest/);
  });
});
