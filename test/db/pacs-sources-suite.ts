import {
  addPacsSource,
  advancePacsWatermark,
  archivedSopInstanceUids,
  ingestImage,
  listPacsSources,
  migrate,
  openPacsSecret,
  openStore,
  removePacsSource,
  requirePacsSource,
  type Store,
} from "@cxrlab/db";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { DatabaseFactory, TestDatabase } from "./databases.ts";

/** The PACS source table and the archive lookups a pull relies on, on one provider. */
export function pacsSourceSuite(factory: DatabaseFactory): void {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await factory();
    store = await openStore(database.url);
    await migrate(store);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it("adds sources with unique names, in a project, and removes them", async () => {
    const added = await addPacsSource(store, {
      name: "radiology",
      url: "http://pacs.example/dicom-web",
      authKind: "bearer",
      secretEnv: "PACS_TOKEN",
      project: "chest",
    });
    expect(added).toMatchObject({ name: "radiology", authKind: "bearer", project: "chest", watermark: null });
    await expect(
      addPacsSource(store, { name: "radiology", url: "http://other/dicom-web", authKind: "none" }),
    ).rejects.toThrow('a PACS source named "radiology" exists already');
    expect((await requirePacsSource(store)).name).toBe("radiology");
    await addPacsSource(store, { name: "archive", url: "http://old/dicom-web", authKind: "none" });
    expect((await listPacsSources(store)).map((s) => [s.name, s.project])).toEqual([
      ["archive", "default"],
      ["radiology", "chest"],
    ]);
    await expect(requirePacsSource(store)).rejects.toThrow(
      "2 PACS sources (archive, radiology): name one with --source",
    );
    expect((await removePacsSource(store, "archive"))?.name).toBe("archive");
    expect(await removePacsSource(store, "archive")).toBeNull();
    await expect(requirePacsSource(store, "archive")).rejects.toThrow('no PACS source named "archive"');
  });

  it("stores a secret sealed: the row holds no plaintext, only this server's secret opens it", async () => {
    const token = "tok-3f9a-plaintext-never-stored";
    vi.stubEnv("CXRLAB_AUTH_SECRET", "a-server-secret-of-at-least-32-characters");
    try {
      const added = await addPacsSource(store, {
        name: "sealed",
        url: "http://pacs.example/dicom-web",
        authKind: "bearer",
        secret: token,
      });
      expect(added.secretEnv).toBeNull();
      const row = await store.prisma.pacsSource.findUniqueOrThrow({ where: { name: "sealed" } });
      expect(row.secretSealed).toMatch(/^v1\./);
      expect(JSON.stringify(row)).not.toContain(token);
      expect(JSON.stringify(row)).not.toContain(Buffer.from(token).toString("base64"));
      const source = await requirePacsSource(store, "sealed");
      expect(openPacsSecret(source)).toBe(token);
      // Sealed with the source's name: moved to another source, it does not open.
      expect(openPacsSecret({ ...source, name: "radiology" })).toBeNull();
      vi.stubEnv("CXRLAB_AUTH_SECRET", "another-server-secret-of-32-characters!!");
      expect(openPacsSecret(source)).toBeNull();
    } finally {
      vi.unstubAllEnvs();
      await removePacsSource(store, "sealed");
    }
  });

  it("moves the watermark forward only", async () => {
    const { id } = await requirePacsSource(store, "radiology");
    await advancePacsWatermark(store, id, "20240305");
    await advancePacsWatermark(store, id, "20240102");
    await advancePacsWatermark(store, id, null);
    const source = await requirePacsSource(store, "radiology");
    expect(source.watermark).toBe("20240305");
    expect(source.lastSyncAt).toBeInstanceOf(Date);
  });

  it("tells which SOP Instance UIDs the archive holds", async () => {
    await ingestImage(store, {
      patient: { patientId: "P-PACS" },
      study: { studyInstanceUid: "1.2.3.100" },
      image: {
        sha256: "a".repeat(64),
        location: "/store/a.png",
        format: "png",
        width: 8,
        height: 8,
        bytes: 10,
        sopInstanceUid: "1.2.3.100.1",
        sourceFormat: "dicom",
        sourceLocation: "/store/a.dcm",
      },
    });
    expect([...(await archivedSopInstanceUids(store, ["1.2.3.100.1", "1.2.3.100.2"]))]).toEqual([
      "1.2.3.100.1",
    ]);
  });
}
