import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { schemaPath } from "./database-url.ts";

// One query layer serves both generated clients, so their schemas may differ only in what names the provider.
const normalise = (provider: "sqlite" | "postgresql") =>
  readFileSync(schemaPath(provider), "utf8")
    .replace(`provider = "${provider}"`, "provider = PROVIDER")
    .replace(`generated/${provider}"`, 'generated/PROVIDER"');

describe("Prisma schemas", () => {
  it("are identical apart from the datasource provider and client output", () => {
    const sqlite = normalise("sqlite");
    expect(sqlite).toContain("provider = PROVIDER");
    expect(sqlite).toContain('generated/PROVIDER"');
    expect(normalise("postgresql")).toBe(sqlite);
  });
});
