import {
  addPacsSource,
  advancePacsWatermark,
  archivedSopInstanceUids,
  ingestImage,
  listPacsSources,
  migrate,
  openStore,
  removePacsSource,
  requirePacsSource,
  type Store,
} from "@cxrlab/db";
import { afterAll, beforeAll, expect, it } from "vitest";
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
