// `cxrlab pacs` against a real Orthanc (Debian's orthanc + orthanc-dicomweb, authentication on):
// pull, sync, push, and a PACS that is down, slow, refuses the credentials or cuts its answer short.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { selectBackend } from "@cxrlab/core/backend";
import { saveModel } from "@cxrlab/core/model";
import {
  buildDicom,
  imagenetDenseNet,
  sampleXrays,
  TRANSFER_SYNTAX,
  testConfig,
  testModelMeta,
} from "@cxrlab/core/testing";
import { createRun, listAuditEvents, openStore, type PatientHistory, updateRunStatus } from "@cxrlab/db";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "../helpers.ts";
import { type Running, silentServer, truncatingProxy } from "./faulty-servers.ts";
import { freePort, type Orthanc, orthancInstalled, startOrthanc } from "./orthanc.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-pacs-"));
const imageStore = path.join(tmp, "images");
const env = {
  DATABASE_URL: `file:${path.join(tmp, "store.db")}`,
  CXRLAB_IMAGE_STORE: imageStore,
  CXRLAB_CACHE: path.join(tmp, "cache"),
  PACS_PASSWORD: "",
  WRONG_PASSWORD: "not-the-password",
};
const cli = (...args: string[]) => runCli(args, { env });

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const SIZE = 64;

/** A DX DICOM (Explicit VR Little Endian, 8-bit) of a real chest X-ray, shrunk to 64×64. */
async function xrayDicom(xray: string, attributes: Record<string, string>): Promise<Buffer> {
  const pixels = await sharp(xray).greyscale().resize(SIZE, SIZE).raw().toBuffer();
  return buildDicom({
    width: SIZE,
    height: SIZE,
    pixels: [...pixels],
    bitsAllocated: 8,
    transferSyntax: TRANSFER_SYNTAX.explicitLittle,
    window: { center: 128, width: 256 },
    attributes,
  });
}

const uid = (n: string) => `1.2.826.0.1.3680043.8.498.77.${n}`;
const PATIENT = {
  PatientID: "PACS-1",
  PatientName: "Pacs^Ann",
  PatientSex: "F",
  PatientBirthDate: "19600101",
};
const STUDIES = {
  early: { ...PATIENT, StudyInstanceUID: uid("1"), StudyDate: "20240102", SeriesInstanceUID: uid("1.1") },
  later: { ...PATIENT, StudyInstanceUID: uid("2"), StudyDate: "20240305", SeriesInstanceUID: uid("2.1") },
};

const countFiles = (dir: string): number =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).reduce(
        (n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1),
        0,
      )
    : 0;

/** What the archive holds: rows and stored files. */
async function archive() {
  const store = await openStore(env.DATABASE_URL);
  try {
    const [patients, studies, images] = await Promise.all([
      store.prisma.patient.count(),
      store.prisma.study.count(),
      store.prisma.image.count(),
    ]);
    return { patients, studies, images, files: countFiles(imageStore) };
  } finally {
    await store.close();
  }
}

interface Pull {
  studies: { studyInstanceUid: string; retrieved: number; alreadyArchived: number; complete: boolean }[];
  new: { file: string; imageId: number; patientId: string }[];
  known: unknown[];
  rejected: { file: string; reason: string }[];
  watermarkBefore?: string | null;
  watermarkAfter?: string | null;
}

const skip = orthancInstalled();
if (skip) console.warn(`PACS tests skipped: ${skip}`);

// Each step starts the CLI several times: minutes on a busy machine.
describe.skipIf(skip)("cxrlab pacs against a real Orthanc", { timeout: 600_000 }, () => {
  let orthanc: Orthanc;
  const files: Record<string, Buffer> = {};
  const upload = async (name: string, bytes: Buffer) => {
    files[name] = bytes;
    await orthanc.rest("POST", "/instances", bytes);
  };

  beforeAll(async () => {
    orthanc = await startOrthanc();
    env.PACS_PASSWORD = orthanc.password;
    const xrays = sampleXrays(3);
    await upload(
      "early",
      await xrayDicom(xrays[0]!, { ...STUDIES.early, SOPInstanceUID: uid("1.1.1"), ViewPosition: "PA" }),
    );
    await upload(
      "later",
      await xrayDicom(xrays[1]!, { ...STUDIES.later, SOPInstanceUID: uid("2.1.1"), ViewPosition: "AP" }),
    );
    const added = await cli(
      "pacs",
      "add",
      "orthanc",
      "--url",
      orthanc.dicomWeb,
      "--user",
      orthanc.user,
      "--password-env",
      "PACS_PASSWORD",
      "--json",
    );
    expect(added.code, added.stderr).toBe(0);
  });

  afterAll(async () => {
    await orthanc?.stop();
  });

  it("keeps the source's secret out of the store and out of every answer", async () => {
    const listed = await cli("pacs", "list", "--json");
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain(orthanc.password);
    expect(parseJson<unknown[]>(listed)).toEqual([
      expect.objectContaining({
        name: "orthanc",
        url: orthanc.dicomWeb,
        authKind: "basic",
        username: orthanc.user,
        secretEnv: "PACS_PASSWORD",
        auth: `user ${orthanc.user}, password in $PACS_PASSWORD (set)`,
        watermark: null,
      }),
    ]);
    const text = await cli("pacs", "list");
    expect(text.stdout).not.toContain(orthanc.password);
    const store = await openStore(env.DATABASE_URL);
    try {
      const row = await store.prisma.pacsSource.findUniqueOrThrow({ where: { name: "orthanc" } });
      expect(JSON.stringify(row)).not.toContain(orthanc.password);
    } finally {
      await store.close();
    }
    const twice = await cli("pacs", "add", "orthanc", "--url", orthanc.dicomWeb);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('a PACS source named "orthanc" exists already');
  });

  it("pulls a patient's studies into the archive through the ingest pipeline, the bytes as the PACS keeps them", async () => {
    const result = await cli("pacs", "pull", "--patient", "PACS-1", "--json");
    expect(result.code, result.stderr).toBe(0);
    const report = parseJson<Pull>(result);
    expect(report.studies.map((s) => [s.studyInstanceUid, s.retrieved, s.complete])).toEqual([
      [uid("1"), 1, true],
      [uid("2"), 1, true],
    ]);
    expect(report.new).toHaveLength(2);
    expect(report.rejected).toEqual([]);
    const history = parseJson<PatientHistory>(await cli("patients", "show", "PACS-1", "--json"));
    expect(history.patient).toMatchObject({ name: "Pacs^Ann", sex: "F", birthDate: "19600101" });
    expect(history.studies.map((s) => s.studyInstanceUid)).toEqual([uid("1"), uid("2")]);
    // WADO-RS asked for the stored transfer syntax: the archive holds the very bytes uploaded.
    expect(history.studies.map((s) => s.images[0]!.sha256)).toEqual([
      sha256(files.early!),
      sha256(files.later!),
    ]);
    const store = await openStore(env.DATABASE_URL);
    try {
      const events = await listAuditEvents(store, {}, { pageSize: 100 });
      const actions = events.items.map((e) => e.action);
      expect(actions.filter((a) => a === "patient.image.ingest")).toHaveLength(2);
      expect(actions).toContain("pacs.pull");
      expect(actions).toContain("pacs.source.add");
    } finally {
      await store.close();
    }

    const again = parseJson<Pull>(await cli("pacs", "pull", "--patient", "PACS-1", "--json"));
    expect(again.studies.map((s) => [s.retrieved, s.alreadyArchived])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(again.new).toEqual([]);

    const since = parseJson<Pull>(
      await cli("pacs", "pull", "--patient", "PACS-1", "--since", "2024-02-01", "--json"),
    );
    expect(since.studies.map((s) => s.studyInstanceUid)).toEqual([uid("2")]);
  });

  it("syncs what is new since the last sync, and nothing twice", async () => {
    await upload(
      "other",
      await xrayDicom(sampleXrays(3)[2]!, {
        PatientID: "PACS-2",
        PatientName: "Pacs^Bo",
        StudyInstanceUID: uid("3"),
        StudyDate: "20240210",
        SeriesInstanceUID: uid("3.1"),
        SOPInstanceUID: uid("3.1.1"),
      }),
    );
    const first = parseJson<Pull>(await cli("pacs", "sync", "--source", "orthanc", "--json"));
    expect(first.studies.map((s) => [s.studyInstanceUid, s.retrieved])).toEqual([
      [uid("1"), 0],
      [uid("3"), 1],
      [uid("2"), 0],
    ]);
    expect(first).toMatchObject({ watermarkBefore: null, watermarkAfter: "20240305" });

    await upload(
      "newer",
      await xrayDicom(sampleXrays(3)[0]!, {
        PatientID: "PACS-2",
        PatientName: "Pacs^Bo",
        StudyInstanceUID: uid("4"),
        StudyDate: "20240410",
        SeriesInstanceUID: uid("4.1"),
        SOPInstanceUID: uid("4.1.1"),
      }),
    );
    const second = parseJson<Pull>(await cli("pacs", "sync", "--source", "orthanc", "--json"));
    // From the watermark's day on: the study of 2024-03-05 is asked again but not retrieved again.
    expect(second.studies.map((s) => [s.studyInstanceUid, s.retrieved, s.alreadyArchived])).toEqual([
      [uid("2"), 0, 1],
      [uid("4"), 1, 0],
    ]);
    expect(second).toMatchObject({ watermarkBefore: "20240305", watermarkAfter: "20240410" });
    const third = parseJson<Pull>(await cli("pacs", "sync", "--source", "orthanc", "--json"));
    expect(third.new).toEqual([]);
    expect(third.studies.map((s) => s.retrieved)).toEqual([0]);
    expect((await archive()).images).toBe(4);
  });

  it("pushes the run's results as a DICOM SR (with --gradcam also a Secondary Capture of the overlay) into each image's study, once", async () => {
    await selectBackend("wasm");
    const modelDir = path.join(tmp, "run", "model");
    const model = await imagenetDenseNet(SIZE);
    await saveModel(modelDir, model, testModelMeta(SIZE));
    model.dispose();
    const store = await openStore(env.DATABASE_URL);
    const run = await createRun(store, { config: { ...testConfig(SIZE), name: "pacs-model" } });
    await updateRunStatus(store, run.id, "succeeded", {
      model: { location: modelDir, bytes: 1 },
      codeVersion: "test-code-1",
    });
    await store.close();
    const predicted = await cli("predict", "--patient", "PACS-1", "--model", String(run.id), "--json");
    expect(predicted.code, predicted.stderr).toBe(0);
    const predictions = parseJson<{ predictions: { imageId: number; predictedClass: string }[] }>(predicted);
    expect(predictions.predictions).toHaveLength(2);

    const pushed = await cli("pacs", "push", "--run", String(run.id), "--patient", "PACS-1", "--json");
    expect(pushed.code, pushed.stderr).toBe(0);
    const report = parseJson<{
      pushed: { studyInstanceUid: string; sopInstanceUid: string; imageSopInstanceUid: string }[];
      alreadyInPacs: unknown[];
    }>(pushed);
    expect(report.pushed.map((p) => [p.studyInstanceUid, p.imageSopInstanceUid])).toEqual([
      [uid("1"), uid("1.1.1")],
      [uid("2"), uid("2.1.1")],
    ]);
    expect(report.alreadyInPacs).toEqual([]);
    const audit = await openStore(env.DATABASE_URL);
    try {
      const patient = await audit.prisma.patient.findFirstOrThrow({ where: { patientId: "PACS-1" } });
      const events = await listAuditEvents(audit, { action: "pacs.push" });
      expect(events.items.map((e) => [e.targetType, e.targetId, e.projectId])).toEqual([
        ["patient", String(patient.id), patient.projectId],
      ]);
    } finally {
      await audit.close();
    }

    // Orthanc's own view: one SR series in each of the patient's studies, with the study's patient.
    const srSeries = async () =>
      orthanc.rest<{ ParentStudy: string; Instances: string[] }[]>(
        "POST",
        "/tools/find",
        Buffer.from(JSON.stringify({ Level: "Series", Query: { Modality: "SR" }, Expand: true })),
      );
    const found = await srSeries();
    expect(found).toHaveLength(2);
    for (const [i, entry] of report.pushed.entries()) {
      const [study] = await orthanc.rest<{ ID: string }[]>(
        "POST",
        "/tools/lookup",
        Buffer.from(entry.studyInstanceUid),
      );
      const series = found.find((s) => s.ParentStudy === study!.ID);
      expect(series?.Instances).toHaveLength(1);
      const tags = await orthanc.rest<Record<string, string>>(
        "GET",
        `/instances/${series!.Instances[0]}/simplified-tags`,
      );
      expect(tags).toMatchObject({
        PatientID: "PACS-1",
        PatientName: "Pacs^Ann",
        PatientBirthDate: "19600101",
        StudyInstanceUID: entry.studyInstanceUid,
        StudyDate: i === 0 ? "20240102" : "20240305",
        SOPInstanceUID: entry.sopInstanceUid,
        SOPClassUID: "1.2.840.10008.5.1.4.1.1.88.33",
        Modality: "SR",
      });
      // The SR as a DICOM tool reads it (dcmtk's dsrdump): the class, probabilities, model and the disclaimer.
      const file = path.join(tmp, `sr-${i}.dcm`);
      const response = await fetch(`${orthanc.url}/instances/${series!.Instances[0]}/file`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString("base64")}`,
        },
      });
      writeFileSync(file, Buffer.from(await response.arrayBuffer()));
      // (its VR checker warns on stderr that it cannot check UTF-8 text: not a finding about the file)
      const dump = execFileSync("dsrdump", ["+Pc", "+Pl", file], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      });
      const imageId = await openStore(env.DATABASE_URL).then(async (s) => {
        const image = await s.prisma.image.findUniqueOrThrow({
          where: { sopInstanceUid: entry.imageSopInstanceUid },
        });
        await s.close();
        return image.id;
      });
      const predictedClass = predictions.predictions.find((p) => p.imageId === imageId)!.predictedClass;
      expect(dump).toContain(`"${predictedClass} (probability`);
      expect(dump).toContain("Not a diagnosis.");
      expect(dump).toContain(`CXR Lab run ${run.id} (pacs-model)`);
      expect(dump).toContain('"test-code-1"');
      expect(dump).toMatch(/Model weights SHA-256.*"[0-9a-f]{64}"/);
      expect(dump.match(/Probability of .*="[0-9.]+" \(%,UCUM,"percent"\)/g)).toHaveLength(3);
    }

    const again = parseJson<{ pushed: unknown[]; alreadyInPacs: unknown[] }>(
      await cli("pacs", "push", "--run", String(run.id), "--patient", "PACS-1", "--json"),
    );
    expect(again.pushed).toEqual([]);
    expect(again.alreadyInPacs).toHaveLength(2);
    expect(await srSeries()).toHaveLength(2);
    expect((await srSeries()).flatMap((s) => s.Instances)).toHaveLength(2);

    // --gradcam adds a Secondary Capture of each image's overlay; the SRs are there already.
    type Pushed = {
      kind: string;
      studyInstanceUid: string;
      imageSopInstanceUid: string;
      seriesInstanceUid: string;
      sopInstanceUid: string;
    };
    const withGradCam = await cli(
      "pacs",
      "push",
      "--run",
      String(run.id),
      "--patient",
      "PACS-1",
      "--gradcam",
      "--json",
    );
    expect(withGradCam.code, withGradCam.stderr).toBe(0);
    const captures = parseJson<{ pushed: Pushed[]; alreadyInPacs: Pushed[] }>(withGradCam);
    expect(captures.pushed.map((p) => [p.kind, p.studyInstanceUid, p.imageSopInstanceUid])).toEqual([
      ["gradcam", uid("1"), uid("1.1.1")],
      ["gradcam", uid("2"), uid("2.1.1")],
    ]);
    expect(captures.alreadyInPacs.map((p) => p.kind)).toEqual(["sr", "sr"]);
    const otSeries = async () =>
      orthanc.rest<{ ParentStudy: string; Instances: string[]; MainDicomTags: Record<string, string> }[]>(
        "POST",
        "/tools/find",
        Buffer.from(JSON.stringify({ Level: "Series", Query: { Modality: "OT" }, Expand: true })),
      );
    const ot = await otSeries();
    expect(ot).toHaveLength(2);
    const authorization = `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString("base64")}`;
    for (const [i, entry] of captures.pushed.entries()) {
      const [study] = await orthanc.rest<{ ID: string }[]>(
        "POST",
        "/tools/lookup",
        Buffer.from(entry.studyInstanceUid),
      );
      const series = ot.find((s) => s.ParentStudy === study!.ID);
      expect(series?.Instances).toHaveLength(1);
      expect(series?.MainDicomTags.SeriesInstanceUID).toBe(entry.seriesInstanceUid);
      const instance = series!.Instances[0]!;
      const tags = await orthanc.rest<Record<string, unknown>>(
        "GET",
        `/instances/${instance}/simplified-tags`,
      );
      expect(tags).toMatchObject({
        PatientID: "PACS-1",
        PatientName: "Pacs^Ann",
        PatientBirthDate: "19600101",
        PatientSex: "F",
        StudyInstanceUID: entry.studyInstanceUid,
        StudyDate: i === 0 ? "20240102" : "20240305",
        SOPInstanceUID: entry.sopInstanceUid,
        SOPClassUID: "1.2.840.10008.5.1.4.1.1.7",
        Modality: "OT",
        ImageType: "DERIVED\\SECONDARY",
        PhotometricInterpretation: "RGB",
        SamplesPerPixel: "3",
        Rows: String(SIZE),
        Columns: String(SIZE),
        SourceImageSequence: [
          expect.objectContaining({ ReferencedSOPInstanceUID: entry.imageSopInstanceUid }),
        ],
      });
      expect(tags.ImageComments).toContain("Not a diagnosis.");
      expect(tags.DerivationDescription).toMatch(
        new RegExp(
          `^Grad-CAM overlay of class .+ by CXR Lab run ${run.id} \\(pacs-model\\).*Not for diagnosis\\.$`,
        ),
      );
      // Orthanc renders it: a PNG of the overlay, in colour (the X-ray itself is grey).
      const preview = await fetch(`${orthanc.url}/instances/${instance}/preview`, {
        headers: { authorization },
      });
      expect(preview.status).toBe(200);
      expect(preview.headers.get("content-type")).toBe("image/png");
      const { data, info } = await sharp(Buffer.from(await preview.arrayBuffer()))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([SIZE, SIZE, 3]);
      const coloured = Array.from({ length: SIZE * SIZE }, (_, p) => p).filter(
        (p) => Math.abs(data[p * 3]! - data[p * 3 + 2]!) > 30,
      );
      expect(coloured.length).toBeGreaterThan(SIZE * SIZE * 0.1);
    }
    const withGradCamAgain = parseJson<{ pushed: unknown[]; alreadyInPacs: Pushed[] }>(
      await cli("pacs", "push", "--run", String(run.id), "--patient", "PACS-1", "--gradcam", "--json"),
    );
    expect(withGradCamAgain.pushed).toEqual([]);
    expect(withGradCamAgain.alreadyInPacs.map((p) => p.kind)).toEqual(["sr", "gradcam", "sr", "gradcam"]);
    expect((await otSeries()).flatMap((s) => s.Instances)).toHaveLength(2);

    // A later pull leaves the SR and Grad-CAM series alone: it takes chest X-ray modalities only.
    const pulled = parseJson<Pull>(await cli("pacs", "pull", "--patient", "PACS-1", "--json"));
    expect(pulled.rejected).toEqual([]);
    expect(pulled.studies.map((s) => s.retrieved)).toEqual([0, 0]);
  });

  describe("a PACS that fails leaves the archive as it was", () => {
    let proxy: Running;
    let silent: Running;
    beforeAll(async () => {
      await upload(
        "unpulled",
        await xrayDicom(sampleXrays(3)[1]!, {
          PatientID: "PACS-3",
          StudyInstanceUID: uid("5"),
          StudyDate: "20240501",
          SeriesInstanceUID: uid("5.1"),
          SOPInstanceUID: uid("5.1.1"),
        }),
      );
      proxy = await truncatingProxy(orthanc.url);
      silent = await silentServer();
      const add = async (name: string, url: string, passwordEnv = "PACS_PASSWORD") => {
        const r = await cli(
          "pacs",
          "add",
          name,
          "--url",
          url,
          "--user",
          orthanc.user,
          "--password-env",
          passwordEnv,
        );
        expect(r.code, r.stderr).toBe(0);
      };
      await add("down", `http://127.0.0.1:${await freePort()}/dicom-web`);
      await add("wrong-password", orthanc.dicomWeb, "WRONG_PASSWORD");
      await add("cut-short", `${proxy.url}/dicom-web`);
      await add("silent", `${silent.url}/dicom-web`);
      await add("unset", orthanc.dicomWeb, "NO_SUCH_VARIABLE");
    });
    afterAll(async () => {
      await proxy?.close();
      await silent?.close();
    });

    const refused = async (args: string[], message: RegExp) => {
      const before = await archive();
      const result = await cli(...args);
      expect(result.code, result.stdout).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(await archive()).toEqual(before);
      return result;
    };

    it("down: names the URL and says it cannot connect", async () => {
      await refused(
        ["pacs", "pull", "--source", "down", "--patient", "PACS-3"],
        /PACS down \(http:\/\/127\.0\.0\.1:\d+\/dicom-web\/studies\?.*\): cannot connect for the study search \(QIDO-RS\) \(ECONNREFUSED\)/,
      );
    });

    it("401: says the credentials are wrong", async () => {
      await refused(
        ["pacs", "pull", "--source", "wrong-password", "--patient", "PACS-3"],
        /PACS wrong-password \(.*\): the study search \(QIDO-RS\) refused with 401 Unauthorized: the source's credentials are wrong or missing/,
      );
    });

    it("a secret's variable unset: names the variable", async () => {
      await refused(
        ["pacs", "pull", "--source", "unset", "--patient", "PACS-3"],
        /PACS unset: the environment variable NO_SUCH_VARIABLE that holds its password is not set/,
      );
    });

    it("a truncated multipart answer: an error, no image, and the sync watermark not moved", async () => {
      const store = await openStore(env.DATABASE_URL);
      await store.prisma.pacsSource.update({ where: { name: "cut-short" }, data: { watermark: "20240410" } });
      await store.close();
      await refused(
        ["pacs", "pull", "--source", "cut-short", "--patient", "PACS-3"],
        /PACS cut-short \(.*\): the retrieval of instance .*5\.1\.1 \(WADO-RS\): .*truncated/,
      );
      await refused(["pacs", "sync", "--source", "cut-short"], /truncated/);
      const listed = parseJson<{ name: string; watermark: string | null }[]>(
        await cli("pacs", "list", "--json"),
      );
      expect(listed.find((s) => s.name === "cut-short")?.watermark).toBe("20240410");
      // Nothing was lost: the same instance through the PACS itself arrives whole.
      const pulled = parseJson<Pull>(
        await cli("pacs", "pull", "--patient", "PACS-3", "--source", "orthanc", "--json"),
      );
      expect(pulled.new).toHaveLength(1);
    });

    it("slow: gives up after --timeout and says so", async () => {
      await refused(
        ["pacs", "pull", "--source", "silent", "--patient", "PACS-3", "--timeout", "1"],
        /PACS silent \(.*\): no complete answer to the study search \(QIDO-RS\) within 1 s/,
      );
    });
  });

  it("removes a source, keeping what was pulled from it", async () => {
    const before = await archive();
    const removed = await cli("pacs", "remove", "down", "--json");
    expect(removed.code, removed.stderr).toBe(0);
    expect(parseJson(removed)).toEqual({ removed: "down" });
    expect(await archive()).toEqual(before);
    const missing = await cli("pacs", "remove", "down");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no PACS source named "down"');
  });
});
