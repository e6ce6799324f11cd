import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { selectBackend } from "@cxrlab/core/backend";
import { saveModel } from "@cxrlab/core/model";
import {
  buildDicom,
  imagenetDenseNet,
  sampleXrays,
  type TestDicom,
  TRANSFER_SYNTAX,
  testConfig,
  testModelMeta,
} from "@cxrlab/core/testing";
import { createRun, listAuditEvents, openStore, type PatientHistory, updateRunStatus } from "@cxrlab/db";
import dicomParser from "dicom-parser";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "./helpers.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-ingest-"));
const imageStore = path.join(tmp, "images");
const env = {
  DATABASE_URL: `file:${path.join(tmp, "store.db")}`,
  CXRLAB_IMAGE_STORE: imageStore,
  CXRLAB_CACHE: path.join(tmp, "cache"),
};
const cli = (...args: string[]) => runCli(args, { env });
const folder = path.join(tmp, "incoming");

interface Report {
  new: { file: string; imageId: number; patientId: string; issuer: string; format: string }[];
  known: { file: string; imageId: number }[];
  rejected: { file: string; reason: string }[];
}

/** A 32x32 image: the left half `left`, the right half `right` (distinct per file, so no shared bytes). */
const halves = (left: number, right: number) =>
  Array.from({ length: 32 * 32 }, (_, i) => (i % 32 < 16 ? left : right));

const IDENTITY_WINDOW = { center: 128, width: 256 };

const ALICE = {
  PatientID: "P1",
  IssuerOfPatientID: "HOSP-A",
  PatientName: "Doe^Alice",
  PatientBirthDate: "19700131",
  PatientSex: "F",
};

function dicom(file: string, spec: Omit<TestDicom, "width" | "height">): Promise<void> {
  return buildDicom({ width: 32, height: 32, ...spec }).then((bytes) => {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), bytes);
  });
}

const countFiles = (dir: string): number =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).reduce(
        (n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1),
        0,
      )
    : 0;

describe("cxrlab ingest, patients, predict --patient", () => {
  beforeAll(async () => {
    const study = (uid: string, date: string, extra: Record<string, string> = {}) => ({
      StudyInstanceUID: uid,
      StudyDate: date,
      ...extra,
    });
    // Alice: the later study is listed first on disk, and files have no .dcm extension.
    await dicom("alice/late/IM0001", {
      // MONOCHROME1, 12 of 16 bits, rescaled and windowed: -24 and 76 -> 104 and 204 -> inverted.
      pixels: halves(1000, 1100),
      bitsStored: 12,
      rescale: { slope: 1, intercept: -1024 },
      window: { center: 0, width: 256 },
      photometric: "MONOCHROME1",
      attributes: {
        ...ALICE,
        ...study("1.2.3.2", "20240601", { AccessionNumber: "ACC-2", StudyDescription: "Chest follow-up" }),
        SOPInstanceUID: "1.2.3.2.1",
        ViewPosition: "AP",
      },
    });
    // A window of width 256 centred on 128 shows 8-bit values as they are.
    await dicom("alice/early/IM0001", {
      pixels: halves(10, 20),
      bitsAllocated: 8,
      window: IDENTITY_WINDOW,
      attributes: {
        ...ALICE,
        ...study("1.2.3.1", "20230110", { AccessionNumber: "ACC-1" }),
        SOPInstanceUID: "1.2.3.1.1",
      },
    });
    await dicom("alice/early/IM0002", {
      pixels: halves(30, 40),
      bitsAllocated: 8,
      window: IDENTITY_WINDOW,
      attributes: {
        ...ALICE,
        ...study("1.2.3.1", "20230110"),
        SOPInstanceUID: "1.2.3.1.2",
        ViewPosition: "LATERAL",
      },
    });
    await dicom("bob.dcm", {
      pixels: halves(50, 90),
      transferSyntax: TRANSFER_SYNTAX.jpegBaseline,
      attributes: { PatientID: "P2", ...study("1.2.4.1", "20220303"), SOPInstanceUID: "1.2.4.1.1" },
    });
    await dicom("refused/jxl.dcm", {
      pixels: halves(0, 0),
      transferSyntax: TRANSFER_SYNTAX.jpegXlLossless,
      fragment: new Uint8Array([0xff, 0x0a, 0xfa, 0x7f]),
      attributes: { PatientID: "P2", SOPInstanceUID: "1.2.4.9.9" },
    });
    // Renders to the same PNG as Alice's first image, but claims her study for another patient:
    // refused, and its original removed while the shared PNG stays.
    await dicom("conflict.dcm", {
      pixels: halves(10, 20),
      bitsAllocated: 8,
      window: IDENTITY_WINDOW,
      attributes: { PatientID: "P9", ...study("1.2.3.1", "20230110"), SOPInstanceUID: "1.2.9.1" },
    });
    await dicom("anonymous.dcm", {
      pixels: halves(60, 70),
      bitsAllocated: 8,
      attributes: { PatientID: undefined, ...study("1.2.5.1", "20210101"), SOPInstanceUID: "1.2.5.1.1" },
    });
    writeFileSync(path.join(folder, "notes.bin"), "not an image");
    writeFileSync(path.join(folder, "README.txt"), "sidecar-like files are passed over");
    // A PNG with its fields in <image>.json.
    copyFileSync(sampleXrays(1)[0]!, path.join(folder, "bob-clinic.png"));
    writeFileSync(
      path.join(folder, "bob-clinic.png.json"),
      JSON.stringify({ patient_id: "P2", study_date: "2024-01-01", view: "PA" }),
    );
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("ingests a folder: new images, and rejects a compressed syntax, a file without PatientID and a non-image", async () => {
    const result = await cli("ingest", folder, "--json");
    expect(result.code, result.stderr).toBe(0);
    const report = parseJson<Report>(result);
    const name = (f: { file: string }) => path.relative(folder, f.file);
    expect(report.new.map(name).sort()).toEqual(
      ["alice/early/IM0001", "alice/early/IM0002", "alice/late/IM0001", "bob-clinic.png", "bob.dcm"].sort(),
    );
    expect(report.known).toEqual([]);
    expect(Object.fromEntries(report.rejected.map((r) => [name(r), r.reason]))).toEqual({
      "anonymous.dcm": "no PatientID (0010,0020) in the file; give --patient to ingest it",
      "conflict.dcm": "study 1.2.3.1 already belongs to patient P1 (issuer HOSP-A)",
      "notes.bin": "not a DICOM, PNG or JPEG file (by its content)",
      "refused/jxl.dcm": expect.stringMatching(
        /^transfer syntax 1\.2\.840\.10008\.1\.2\.4\.110 \(JPEG XL Lossless\) is not supported/,
      ),
    });
    // DICOM: original + rendered PNG; PNG: the original only. Nothing of the rejected files.
    expect(countFiles(imageStore)).toBe(4 * 2 + 1);
  });

  it("renders DICOM pixels with rescale, window and MONOCHROME1 applied", async () => {
    const store = await openStore(env.DATABASE_URL);
    try {
      const image = await store.prisma.image.findUniqueOrThrow({ where: { sopInstanceUid: "1.2.3.2.1" } });
      expect(image.sourceLocation!.startsWith(imageStore)).toBe(true);
      expect(path.basename(image.sourceLocation!)).toBe(`${image.sha256}.dcm`);
      const { data, info } = await sharp(image.location)
        .extractChannel(0)
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([32, 32]);
      expect(new Set(data.subarray(0, 16))).toEqual(new Set([255 - 104]));
      expect(new Set(data.subarray(16, 32))).toEqual(new Set([255 - 204]));
      const jpeg = await store.prisma.image.findUniqueOrThrow({ where: { sopInstanceUid: "1.2.4.1.1" } });
      const bob = await sharp(jpeg.location).extractChannel(0).raw().toBuffer();
      // No window: min-max of the decoded JPEG (50 and 90) -> 0 and 255.
      expect([bob[0], bob[31]]).toEqual([0, 255]);
      const early = await store.prisma.image.findUniqueOrThrow({ where: { sopInstanceUid: "1.2.3.1.1" } });
      const shared = await sharp(early.location).extractChannel(0).raw().toBuffer();
      expect([shared[0], shared[31]]).toEqual([10, 20]);
    } finally {
      await store.close();
    }
  });

  it("adds nothing when the same folder is ingested again", async () => {
    const files = countFiles(imageStore);
    const report = parseJson<Report>(await cli("ingest", folder, "--json"));
    expect(report.new).toEqual([]);
    expect(report.known).toHaveLength(5);
    expect(report.rejected).toHaveLength(4);
    expect(countFiles(imageStore)).toBe(files);
  });

  it("takes a DICOM without PatientID when --patient is given, and fails only when every file is rejected", async () => {
    const anonymous = path.join(folder, "anonymous.dcm");
    const added = await cli("ingest", anonymous, "--patient", "P3", "--json");
    expect(parseJson<Report>(added).new).toMatchObject([{ patientId: "P3", format: "dicom" }]);
    const refused = await cli("ingest", path.join(folder, "refused"));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("0 new, 0 already known, 1 rejected");
    expect(refused.stderr).toContain("every file (1) was rejected");
  });

  it("lists patients and shows a timeline ordered by study date with the DICOM metadata", async () => {
    const list = parseJson<{
      total: number;
      items: { patientId: string; studyCount: number; imageCount: number }[];
    }>(await cli("patients", "list", "--json"));
    expect(list.items.map((p) => [p.patientId, p.studyCount, p.imageCount])).toEqual([
      ["P1", 2, 3],
      ["P2", 2, 2],
      ["P3", 1, 1],
    ]);
    const alice = parseJson<PatientHistory>(await cli("patients", "show", "P1", "--json"));
    expect(alice.patient).toMatchObject({
      patientId: "P1",
      issuer: "HOSP-A",
      name: "Doe^Alice",
      birthDate: "19700131",
      sex: "F",
    });
    expect(
      alice.studies.map((s) => [
        s.studyInstanceUid,
        s.studyDate,
        s.accessionNumber,
        s.description,
        s.images.map((i) => i.viewPosition),
      ]),
    ).toEqual([
      ["1.2.3.1", "2023-01-10T00:00:00.000Z", "ACC-1", null, ["PA", "LATERAL"]],
      ["1.2.3.2", "2024-06-01T00:00:00.000Z", "ACC-2", "Chest follow-up", ["AP"]],
    ]);
    const bob = parseJson<PatientHistory>(await cli("patients", "show", "P2", "--json"));
    expect(
      bob.studies.map((s) => [s.studyDate, s.images[0]!.sourceFormat, s.images[0]!.viewPosition]),
    ).toEqual([
      ["2022-03-03T00:00:00.000Z", "dicom", "PA"],
      ["2024-01-01T00:00:00.000Z", "png", "PA"],
    ]);
    const missing = await cli("patients", "show", "nobody");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no patient nobody in the archive");

    // Every image archived and every look at a patient is in the audit log, as the CLI's user.
    const store = await openStore(env.DATABASE_URL);
    try {
      const events = await store.prisma.auditEvent.findMany({ orderBy: { id: "asc" } });
      const byAction = (action: string) => events.filter((e) => e.action === action);
      const images = await store.prisma.image.count({ where: { studyId: { not: null } } });
      expect(byAction("patient.image.ingest")).toHaveLength(images);
      expect(byAction("patient.search")).toHaveLength(1);
      const patients = await store.prisma.patient.findMany({ where: { patientId: { in: ["P1", "P2"] } } });
      expect(byAction("patient.view").map((e) => e.targetId)).toEqual(
        ["P1", "P2"].map((id) => String(patients.find((p) => p.patientId === id)!.id)),
      );
      for (const event of events) expect(event.userAgent).toMatch(/^cxrlab-cli \(.+@.+\)$/);
    } finally {
      await store.close();
    }
  });

  it("predicts a patient's unpredicted images with the latest model, records them and caches Grad-CAM heatmaps", async () => {
    await selectBackend("wasm");
    const size = 64;
    const modelDir = path.join(tmp, "run", "model");
    const model = await imagenetDenseNet(size);
    await saveModel(modelDir, model, testModelMeta(size));
    model.dispose();
    const store = await openStore(env.DATABASE_URL);
    const run = await createRun(store, { config: { ...testConfig(size), name: "small" } });
    await updateRunStatus(store, run.id, "succeeded", { model: { location: modelDir, bytes: 1 } });
    await store.close();

    const result = await cli("predict", "--patient", "P1", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`model: run ${run.id} (small), latest succeeded run with a model`);
    const json = parseJson<{
      runId: number;
      alreadyPredicted: number;
      predictions: { imageId: number; heatmap: string }[];
    }>(result);
    expect(json.runId).toBe(run.id);
    expect(json.predictions).toHaveLength(3);
    for (const p of json.predictions) {
      expect(p.heatmap.startsWith(env.CXRLAB_CACHE)).toBe(true);
      expect(await sharp(p.heatmap).metadata()).toMatchObject({ format: "png", width: size, height: size });
    }
    const history = parseJson<PatientHistory>(await cli("patients", "show", "P1", "--json"));
    const recorded = history.studies.flatMap((s) => s.images.map((i) => i.predictions.map((p) => p.runId)));
    expect(recorded).toEqual([[run.id], [run.id], [run.id]]);

    const again = parseJson<{ alreadyPredicted: number; predictions: unknown[] }>(
      await cli("predict", "--patient", "P1", "--model", String(run.id), "--json"),
    );
    expect(again).toMatchObject({ alreadyPredicted: 3, predictions: [] });
  });

  it("archives compressed DICOM (RLE, deflated, and files DCMTK and GDCM compressed) like the uncompressed ones", async () => {
    const dir = path.join(tmp, "compressed");
    const sources = path.join(tmp, "uncompressed");
    mkdirSync(dir);
    mkdirSync(sources);
    const files = {
      "rle.dcm": TRANSFER_SYNTAX.rleLossless,
      "deflated.dcm": TRANSFER_SYNTAX.deflatedExplicitLittle,
      "j2k.dcm": TRANSFER_SYNTAX.explicitLittle,
      "jls.dcm": TRANSFER_SYNTAX.explicitLittle,
      "sv1.dcm": TRANSFER_SYNTAX.explicitLittle,
      "p14.dcm": TRANSFER_SYNTAX.explicitLittle,
    };
    // Made from an uncompressed file by the tools .ci/run installs.
    const tools: Record<string, [string, ...string[]]> = {
      "j2k.dcm": ["gdcmconv", "--j2k"],
      "jls.dcm": ["dcmcjpls"],
      "sv1.dcm": ["dcmcjpeg", "+e1"],
      "p14.dcm": ["dcmcjpeg", "+el"],
    };
    // Same recipe as Alice's later image: stored v shows as 255 - (v - 1024 + 128) = 1151 - v.
    const left = {
      "rle.dcm": 1010,
      "deflated.dcm": 1020,
      "j2k.dcm": 1000,
      "jls.dcm": 1005,
      "sv1.dcm": 1015,
      "p14.dcm": 1025,
    };
    for (const [file, transferSyntax] of Object.entries(files) as [keyof typeof files, string][]) {
      const bytes = await buildDicom({
        width: 32,
        height: 32,
        pixels: halves(left[file], left[file] + 100),
        bitsStored: 12,
        rescale: { slope: 1, intercept: -1024 },
        window: { center: 0, width: 256 },
        photometric: "MONOCHROME1",
        transferSyntax,
        attributes: { PatientID: "C-1", StudyInstanceUID: "1.2.6.1", SOPInstanceUID: `1.2.6.1.${file}` },
      });
      const tool = tools[file];
      if (!tool) {
        writeFileSync(path.join(dir, file), bytes);
        continue;
      }
      writeFileSync(path.join(sources, file), bytes);
      execFileSync(tool[0], [...tool.slice(1), path.join(sources, file), path.join(dir, file)]);
    }
    // A truncated JPEG 2000 codestream: refused, naming the syntax and the reason.
    const j2k = readFileSync(path.join(dir, "j2k.dcm"));
    const fragment = dicomParser.parseDicom(j2k).elements.x7fe00010!.fragments![0]!;
    const cut = await buildDicom({
      width: 32,
      height: 32,
      pixels: halves(0, 0),
      bitsStored: 12,
      transferSyntax: TRANSFER_SYNTAX.jpeg2000Lossless,
      fragment: j2k.subarray(fragment.position, fragment.position + fragment.length / 2),
      attributes: { PatientID: "C-1", SOPInstanceUID: "1.2.6.1.cut" },
    });
    writeFileSync(path.join(dir, "cut.dcm"), cut);
    const result = await cli("ingest", dir, "--json");
    expect(result.code, result.stderr).toBe(0);
    const report = parseJson<Report>(result);
    expect(report.rejected).toEqual([
      {
        file: path.join(dir, "cut.dcm"),
        kind: "content",
        reason: expect.stringMatching(
          /^cannot decode its pixel data in transfer syntax 1\.2\.840\.10008\.1\.2\.4\.90 \(JPEG 2000 Image Compression \(Lossless Only\)\): the codestream is truncated/,
        ),
      },
    ]);
    expect(report.new.map((n) => [path.basename(n.file), n.patientId, n.format]).sort()).toEqual(
      Object.keys(files)
        .sort()
        .map((file) => [file, "C-1", "dicom"]),
    );
    const store = await openStore(env.DATABASE_URL);
    try {
      for (const file of Object.keys(files) as (keyof typeof files)[]) {
        const image = await store.prisma.image.findUniqueOrThrow({
          where: { sopInstanceUid: `1.2.6.1.${file}` },
        });
        expect(path.basename(image.sourceLocation!)).toBe(`${image.sha256}.dcm`);
        const data = await sharp(image.location).extractChannel(0).raw().toBuffer();
        expect([new Set(data.subarray(0, 16)), new Set(data.subarray(16, 32))]).toEqual([
          new Set([1151 - left[file]]),
          new Set([1151 - left[file] - 100]),
        ]);
      }
    } finally {
      await store.close();
    }
  });

  it("puts new patients in the project --project names", async () => {
    const file = path.join(tmp, "research.png");
    copyFileSync(sampleXrays(2)[1]!, file);
    const report = parseJson<{ new: { projectId: number }[] }>(
      await cli("ingest", file, "--patient", "R-1", "--project", "research", "--json"),
    );
    const store = await openStore(env.DATABASE_URL);
    try {
      const patient = await store.prisma.patient.findFirstOrThrow({
        where: { patientId: "R-1" },
        include: { project: true },
      });
      expect(patient.project?.name).toBe("research");
      expect(report.new.map((n) => n.projectId)).toEqual([patient.projectId]);
    } finally {
      await store.close();
    }
  });

  it("keeps a patient's first demographics and reports, prints and audits a later DICOM's other values", async () => {
    const write = async (file: string, left: number, attributes: Record<string, string>) => {
      const bytes = await buildDicom({
        width: 32,
        height: 32,
        pixels: halves(left, left + 5),
        bitsAllocated: 8,
        window: IDENTITY_WINDOW,
        attributes: { PatientID: "P-DEMO", IssuerOfPatientID: "HOSP-C", ...attributes },
      });
      const target = path.join(tmp, "demographics", file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, bytes);
      return target;
    };
    const first = await write("first.dcm", 60, {
      PatientName: "Roe^Ann",
      PatientSex: "F",
      SOPInstanceUID: "1.2.7.1",
      StudyInstanceUID: "1.2.7",
    });
    expect((await cli("ingest", first, "--json")).code).toBe(0);
    const second = await write("second.dcm", 70, {
      PatientName: "Roe^Anne",
      PatientSex: "F",
      PatientBirthDate: "19800101",
      SOPInstanceUID: "1.2.7.2",
      StudyInstanceUID: "1.2.7",
    });
    const report = parseJson<{
      new: unknown[];
      conflicts: Record<string, unknown>[];
      filled: Record<string, unknown>[];
    }>(await cli("ingest", second, "--json"));
    expect(report.new).toHaveLength(1);
    const patient = {
      file: second,
      imageId: expect.any(Number),
      patientRef: expect.any(Number),
      patientId: "P-DEMO",
      issuer: "HOSP-C",
    };
    expect(report.conflicts).toEqual([
      { ...patient, projectId: expect.any(Number), field: "name", kept: "Roe^Ann", refused: "Roe^Anne" },
    ]);
    expect(report.filled).toEqual([
      { ...patient, projectId: expect.any(Number), field: "birthDate", value: "19800101" },
    ]);
    const third = await write("third.dcm", 80, {
      PatientName: "Roe^Ann",
      PatientSex: "M",
      SOPInstanceUID: "1.2.7.3",
      StudyInstanceUID: "1.2.7",
    });
    const printed = await cli("ingest", third);
    expect(printed.stdout).toContain(
      `conflict ${path.relative(process.cwd(), third)}  patient P-DEMO (HOSP-C): sex kept "F", refused "M"`,
    );
    expect(printed.stdout).toContain("1 new, 0 already known, 0 rejected, 1 demographic conflict");
    const store = await openStore(env.DATABASE_URL);
    try {
      const row = await store.prisma.patient.findFirstOrThrow({ where: { patientId: "P-DEMO" } });
      expect(row).toMatchObject({ name: "Roe^Ann", sex: "F", birthDate: "19800101" });
      const conflicts = await listAuditEvents(store, {
        action: "patient.demographics.conflict",
        targetId: String(row.id),
      });
      expect(conflicts.items.map((e) => [e.projectId, e.targetType, e.targetId, e.details])).toEqual([
        [
          row.projectId,
          "patient",
          String(row.id),
          { file: third, patientId: "P-DEMO", issuer: "HOSP-C", field: "sex", kept: "F", refused: "M" },
        ],
        [
          row.projectId,
          "patient",
          String(row.id),
          {
            file: second,
            patientId: "P-DEMO",
            issuer: "HOSP-C",
            field: "name",
            kept: "Roe^Ann",
            refused: "Roe^Anne",
          },
        ],
      ]);
      const fills = await listAuditEvents(store, {
        action: "patient.demographics.fill",
        targetId: String(row.id),
      });
      expect(fills.items.map((e) => [e.projectId, e.targetId, e.details])).toEqual([
        [
          row.projectId,
          String(row.id),
          { file: second, patientId: "P-DEMO", issuer: "HOSP-C", field: "birthDate", value: "19800101" },
        ],
      ]);
    } finally {
      await store.close();
    }
  });
});
