// A PACS source whose password is stored encrypted (`pacs add --password-stdin`) against a real
// Orthanc with authentication on: the pull authenticates, the store and every answer hold no
// plaintext, and another server secret gives an error naming the source.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildDicom, TRANSFER_SYNTAX } from "@cxrlab/core/testing";
import { listAuditEvents, openStore } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "../helpers.ts";
import { type Orthanc, orthancInstalled, startOrthanc } from "./orthanc.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-pacs-sealed-"));
const env = {
  DATABASE_URL: `file:${path.join(tmp, "store.db")}`,
  CXRLAB_IMAGE_STORE: path.join(tmp, "images"),
  CXRLAB_CACHE: path.join(tmp, "cache"),
  CXRLAB_AUTH_SECRET: "the-test-server-secret-of-32-characters-or-more",
};
const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv } });

/** Runs the CLI answering its hidden `question` with `answer` on stdin. */
function cliAnswering(args: string[], question: string, answer: string) {
  let answered = false;
  return runCli(args, {
    env,
    onStderr: (text, child) => {
      if (!answered && text.includes(question)) {
        answered = true;
        child.stdin!.end(`${answer}\n`);
      }
    },
  });
}

const skip = orthancInstalled();

describe.skipIf(skip)(
  "a PACS password stored encrypted, against a real Orthanc",
  { timeout: 600_000 },
  () => {
    let orthanc: Orthanc;

    beforeAll(async () => {
      orthanc = await startOrthanc();
      await orthanc.rest(
        "POST",
        "/instances",
        await buildDicom({
          width: 16,
          height: 16,
          pixels: Array.from({ length: 256 }, (_, i) => i),
          bitsAllocated: 8,
          transferSyntax: TRANSFER_SYNTAX.explicitLittle,
          window: { center: 128, width: 256 },
          attributes: {
            PatientID: "SEALED-1",
            Modality: "DX",
            StudyInstanceUID: "1.2.826.0.1.3680043.8.498.79.1",
            StudyDate: "20240601",
            SeriesInstanceUID: "1.2.826.0.1.3680043.8.498.79.1.1",
            SOPInstanceUID: "1.2.826.0.1.3680043.8.498.79.1.1.1",
          },
        }),
      );
    });

    afterAll(async () => {
      await orthanc?.stop();
    });

    it("takes the password from stdin, stores it sealed and never shows it", async () => {
      const both = await cli([
        "pacs",
        "add",
        "x",
        "--url",
        orthanc.dicomWeb,
        "--user",
        orthanc.user,
        "--password-stdin",
        "--password-env",
        "PACS_PASSWORD",
      ]);
      expect(both.code).toBe(1);
      expect(both.stderr).toContain("give --password-env or --password-stdin, not both");

      const added = await cliAnswering(
        [
          "pacs",
          "add",
          "sealed",
          "--url",
          orthanc.dicomWeb,
          "--user",
          orthanc.user,
          "--password-stdin",
          "--json",
        ],
        "Password: ",
        orthanc.password,
      );
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout + added.stderr).not.toContain(orthanc.password);
      const source = parseJson<Record<string, unknown>>(added);
      expect(source).toMatchObject({
        name: "sealed",
        authKind: "basic",
        secretEnv: null,
        secretStored: true,
        auth: `user ${orthanc.user}, password stored encrypted`,
      });
      expect(source).not.toHaveProperty("secretSealed");

      for (const args of [
        ["pacs", "list"],
        ["pacs", "list", "--json"],
      ]) {
        const listed = await cli(args);
        expect(listed.code, listed.stderr).toBe(0);
        expect(listed.stdout).toContain("stored encrypted");
        expect(listed.stdout).not.toContain(orthanc.password);
        expect(listed.stdout).not.toContain("v1.");
      }

      const store = await openStore(env.DATABASE_URL);
      try {
        const row = await store.prisma.pacsSource.findUniqueOrThrow({ where: { name: "sealed" } });
        expect(row.secretSealed).toMatch(/^v1\./);
        expect(JSON.stringify(row)).not.toContain(orthanc.password);
        const events = await listAuditEvents(store, { action: "pacs.source.add" });
        expect(events.items).toHaveLength(1);
        expect(JSON.stringify(events.items)).not.toContain(orthanc.password);
        expect(events.items[0]!.details).toMatchObject({ secretStored: true, secretEnv: null });
      } finally {
        await store.close();
      }
    });

    it("pulls with the stored password (Orthanc refuses requests without it)", async () => {
      const pulled = await cli(["pacs", "pull", "--patient", "SEALED-1", "--json"]);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(parseJson<{ new: unknown[] }>(pulled).new).toHaveLength(1);
      const anonymous = await fetch(`${orthanc.dicomWeb}/studies`);
      expect(anonymous.status).toBe(401);
    });

    it("says which source's stored password does not open when the server secret changed", async () => {
      const result = await cli(["pacs", "pull", "--patient", "SEALED-1"], {
        CXRLAB_AUTH_SECRET: "another-server-secret-of-32-characters-or-more",
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        "PACS sealed: its stored password does not open with this server's secret",
      );
      expect(result.stderr).not.toContain(orthanc.password);
    });
  },
);
