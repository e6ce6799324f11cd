import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { handleUpload, type UploadReport } from "@cxrlab/api/http";
import { readDicom } from "@cxrlab/core/dicom";
import { buildDicom, testConfig } from "@cxrlab/core/testing";
import {
  createApiToken,
  createRun,
  listAuditEvents,
  migrate,
  openStore,
  promoteRun,
  type Store,
  sha256Of,
  updateRunStatus,
} from "@cxrlab/db";
import { openQueue } from "@cxrlab/queue";
import dicomParser from "dicom-parser";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dicomDeclaring, pngDeclaring } from "../pixel-bombs.ts";
import { sampleImagePaths } from "./fixture.ts";
import { ORIGIN, signedInAs } from "./sessions.ts";

let dir: string;
let imageStore: string;
let store: Store;
let clinician: string;
let clinicianEmail: string;
let viewer: string;
let otherClinician: string;
let otherClinicianId: string;
const [first, second, third] = sampleImagePaths(1).map((s) => readFileSync(s.path));

interface Part {
  name: string;
  bytes: Buffer;
  /** What the client claims; the server never believes it. */
  type?: string;
}

function form(parts: Part[], fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries({ project: "chest", patientId: "UP-1", ...fields }))
    data.append(key, value);
  for (const part of parts)
    data.append("files", new Blob([part.bytes], { type: part.type ?? "image/png" }), part.name);
  return data;
}

function post(body: FormData | ReadableStream<Uint8Array>, headers: Record<string, string>): Request {
  return new Request(`${ORIGIN}/api/uploads`, {
    method: "POST",
    headers: { Origin: ORIGIN, ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

async function upload(
  cookie: string | null,
  parts: Part[],
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
  limits = {},
): Promise<{ status: number; report: UploadReport; text: string }> {
  const response = await handleUpload(
    post(form(parts, fields), { ...(cookie && { Cookie: cookie }), ...headers }),
    {
      store,
      imageStore,
      limits,
    },
  );
  const text = await response.text();
  const json = response.headers.get("content-type")?.includes("json");
  return { status: response.status, report: json ? JSON.parse(text) : undefined, text };
}

/** Every file under the image store, relative to it. */
function storedFiles(): string[] {
  if (!existsSync(imageStore)) return [];
  return readdirSync(imageStore, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(imageStore, path.join(e.parentPath, e.name)))
    .sort();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-upload-"));
  imageStore = path.join(dir, "images");
  store = await openStore(`file:${path.join(dir, "store.db")}`);
  await migrate(store);
  const chestClinician = await signedInAs(store, "clinician", "chest");
  [clinician, clinicianEmail] = [chestClinician.cookie, chestClinician.account.email];
  viewer = (await signedInAs(store, "viewer", "chest")).cookie;
  const other = await signedInAs(store, "clinician", "other");
  [otherClinician, otherClinicianId] = [other.cookie, other.account.userId];
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("POST /api/uploads", () => {
  it("archives a real PNG under its content hash, names its patient and audits the upload", async () => {
    const { status, report } = await upload(clinician, [{ name: "chest.png", bytes: first! }], {
      issuer: "HOSP",
      studyDate: "2024-03-05",
    });
    expect(status).toBe(200);
    expect(report.rejected).toEqual([]);
    expect(report.new).toHaveLength(1);
    const entry = report.new[0]!;
    expect(entry).toMatchObject({
      file: "chest.png",
      format: "png",
      image: { patientId: "UP-1", issuer: "HOSP" },
    });
    const sha = sha256Of(first!);
    expect(storedFiles()).toEqual([path.join(sha.slice(0, 2), `${sha}.png`)]);
    const image = await store.prisma.image.findUniqueOrThrow({
      where: { id: entry.image!.id },
      include: { study: { include: { patient: { include: { project: true } } } } },
    });
    expect(image.sha256).toBe(sha);
    expect(readFileSync(image.location).equals(first!)).toBe(true);
    expect(image.study?.patient.project?.name).toBe("chest");
    expect(image.study?.studyDate?.toISOString()).toBe("2024-03-05T00:00:00.000Z");
    const audit = await listAuditEvents(store, { action: "patient.image.upload" });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      actorEmail: clinicianEmail,
      targetType: "image",
      targetId: String(entry.image!.id),
      projectId: report.project.id,
      details: { file: "chest.png", status: "new", format: "png", patientId: "UP-1" },
    });
  });

  it("reports a duplicate as known, with the same image, and changes nothing", async () => {
    const before = { images: await store.prisma.image.count(), files: storedFiles() };
    const { status, report } = await upload(clinician, [{ name: "again.png", bytes: first! }]);
    expect(status).toBe(200);
    expect(report.new).toEqual([]);
    expect(report.known).toHaveLength(1);
    expect(report.known[0]).toMatchObject({ file: "again.png", image: { patientId: "UP-1" } });
    expect(await store.prisma.image.count()).toBe(before.images);
    expect(storedFiles()).toEqual(before.files);
  });

  it("tells file types by their bytes: a text file named x.png with an image type is rejected (415)", async () => {
    const before = storedFiles();
    const { status, report } = await upload(clinician, [
      { name: "x.png", bytes: Buffer.from("just some notes, not pixels\n".repeat(20)), type: "image/png" },
    ]);
    expect(status).toBe(415);
    expect(report.rejected).toEqual([
      { file: "x.png", reason: "not a DICOM, PNG or JPEG file (by its content)", kind: "format" },
    ]);
    expect(storedFiles()).toEqual(before);
  });

  it("takes a JPEG sent as application/octet-stream and named .txt: the content decides", async () => {
    const jpeg = await sharp(second!).jpeg({ quality: 85 }).toBuffer();
    const { status, report } = await upload(clinician, [
      { name: "scan.txt", bytes: jpeg, type: "application/octet-stream" },
    ]);
    expect(status).toBe(200);
    expect(report.new[0]).toMatchObject({ file: "scan.txt", format: "jpeg" });
  });

  it("refuses a PNG declaring 30000×30000 pixels from its header, before decoding (422 naming the file)", async () => {
    const bomb = await pngDeclaring(30000, 30000);
    expect(bomb.length).toBeLessThan(200);
    const before = storedFiles();
    const { status, report } = await upload(clinician, [{ name: "bomb.png", bytes: bomb }]);
    expect(status).toBe(422);
    expect(report.rejected).toHaveLength(1);
    expect(report.rejected[0]).toMatchObject({ file: "bomb.png", kind: "pixels" });
    // The header's size, not a decoder's complaint about the 8×8 of pixels the file really holds.
    expect(report.rejected[0]!.reason).toMatch(
      /^30000×30000 = 900,000,000 pixels, more than the limit of 50,000,000/,
    );
    expect(storedFiles()).toEqual(before);
  });

  it("reads a DICOM by its preamble (named .bin): patient from its tags; one declaring 60000×60000 is refused undecoded", async () => {
    const side = 64;
    const { data } = await sharp(first!)
      .resize(side, side)
      .grayscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const dicom = await buildDicom({
      width: side,
      height: side,
      pixels: [...data].map((v) => v * 16),
      bitsStored: 12,
      window: { center: 2048, width: 4096 },
      attributes: { PatientID: "DICOM-7", SOPInstanceUID: "1.2.826.0.1.3680043.8.498.99.1" },
    });
    const bomb = await dicomDeclaring(60000, 60000, "DICOM-8");
    const { status, report } = await upload(
      clinician,
      [
        { name: "study.bin", bytes: dicom, type: "application/octet-stream" },
        { name: "bomb.dcm", bytes: bomb, type: "application/dicom" },
      ],
      { patientId: "" },
    );
    expect(status).toBe(200);
    expect(report.new).toEqual([
      {
        file: "study.bin",
        format: "dicom",
        image: { id: expect.any(Number), patientId: "DICOM-7", issuer: "" },
      },
    ]);
    expect(report.rejected).toEqual([
      {
        file: "bomb.dcm",
        reason:
          "60000×60000 = 3,600,000,000 pixels, more than the limit of 50,000,000 (CXRLAB_MAX_IMAGE_PIXELS); not decoded",
        kind: "pixels",
      },
    ]);
    expect(await store.prisma.patient.count({ where: { patientId: "DICOM-8" } })).toBe(0);
  });

  it("archives a JPEG-LS DICOM (made by dcmcjpls) with its uncompressed twin's pixels; a truncated one is refused naming its syntax", async () => {
    const side = 48;
    const { data } = await sharp(second!)
      .resize(side, side)
      .grayscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const plain = await buildDicom({
      width: side,
      height: side,
      pixels: [...data].map((v) => v * 16 + (v % 16)),
      bitsStored: 12,
      attributes: {
        PatientID: "DICOM-9",
        StudyInstanceUID: "1.2.826.0.1.3680043.8.498.99",
        SOPInstanceUID: "1.2.826.0.1.3680043.8.498.99.9",
      },
    });
    const tmp = mkdtempSync(path.join(os.tmpdir(), "cxrlab-upload-jls-"));
    try {
      writeFileSync(path.join(tmp, "plain.dcm"), plain);
      execFileSync("dcmcjpls", [path.join(tmp, "plain.dcm"), path.join(tmp, "jls.dcm")]);
      const jls = readFileSync(path.join(tmp, "jls.dcm"));
      // The same image with its codestream cut in half.
      const fragment = dicomParser.parseDicom(jls).elements.x7fe00010!.fragments![0]!;
      const cut = await buildDicom({
        width: side,
        height: side,
        pixels: [...data],
        bitsStored: 12,
        transferSyntax: "1.2.840.10008.1.2.4.80",
        fragment: jls.subarray(fragment.position, fragment.position + fragment.length / 2),
        attributes: {
          PatientID: "DICOM-9",
          StudyInstanceUID: "1.2.826.0.1.3680043.8.498.99",
          SOPInstanceUID: "1.2.826.0.1.3680043.8.498.99.10",
        },
      });
      const { status, report } = await upload(
        clinician,
        [
          { name: "study.jls.dcm", bytes: jls, type: "application/dicom" },
          { name: "cut.dcm", bytes: cut, type: "application/dicom" },
        ],
        { patientId: "" },
      );
      expect(status).toBe(200);
      expect(report.new.map((n) => n.file)).toEqual(["study.jls.dcm"]);
      expect(report.rejected).toEqual([
        {
          file: "cut.dcm",
          reason: expect.stringMatching(
            /^cannot decode its pixel data in transfer syntax 1\.2\.840\.10008\.1\.2\.4\.80 \(JPEG-LS Lossless Image Compression\): the codestream is truncated/,
          ),
          kind: "content",
        },
      ]);
      const image = await store.prisma.image.findUniqueOrThrow({ where: { sha256: sha256Of(jls) } });
      const twin = await readDicom(plain, "plain.dcm");
      expect([...(await sharp(image.location).extractChannel(0).raw().toBuffer())]).toEqual([
        ...twin.image.gray,
      ]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("applies the pixel limit to real images too (a lowered limit refuses a real X-ray)", async () => {
    const { status, report } = await upload(
      clinician,
      [{ name: "real.png", bytes: third! }],
      {},
      {},
      { pixels: 10_000 },
    );
    expect(status).toBe(422);
    expect(report.rejected[0]).toMatchObject({ file: "real.png", kind: "pixels" });
    expect(report.rejected[0]!.reason).toContain("more than the limit of 10,000");
  });

  it("uses a client's file name as display text only: ../../etc/passwd.png lands under its hash", async () => {
    const { status, report } = await upload(
      clinician,
      [
        { name: "../../etc/passwd.png", bytes: third! },
        { name: "..\\..\\evil\u0000\u202e\u0007gnp.png", bytes: second! },
      ],
      { patientId: "UP-2" },
    );
    expect(status).toBe(200);
    expect(report.new.map((e) => e.file)).toEqual(["passwd.png", "evilgnp.png"]);
    const sha = sha256Of(third!);
    const image = await store.prisma.image.findUniqueOrThrow({ where: { sha256: sha } });
    expect(image.location).toBe(path.join(imageStore, sha.slice(0, 2), `${sha}.png`));
    expect(storedFiles().some((f) => f.includes("passwd") || f.includes("evil"))).toBe(false);
    expect(existsSync(path.join(dir, "etc"))).toBe(false);
    expect(existsSync(path.join(path.dirname(dir), "etc", "passwd.png"))).toBe(false);
  });

  it("refuses an oversized body with 413: from Content-Length before reading, and while it streams", async () => {
    let pulled = 0;
    // A body that never ends: answering at all proves nothing was read beyond the headers.
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 1;
          controller.enqueue(new Uint8Array(64 * 1024));
        },
      });
    const options = { store, imageStore, limits: { requestBytes: 1024 * 1024 } };
    const contentType = { Cookie: clinician, "Content-Type": "multipart/form-data; boundary=x" };
    const declared = await handleUpload(
      post(endless(), { ...contentType, "Content-Length": String(10 * 1024 * 1024) }),
      options,
    );
    expect(declared.status).toBe(413);
    expect(await declared.text()).toContain("exceeds the upload limit of 1 MiB");
    const pulledBeforeStreaming = pulled;
    const streamed = await handleUpload(post(endless(), contentType), options);
    expect(streamed.status).toBe(413);
    // Stopped just past the limit: 1 MiB / 64 KiB = 16 chunks, not an endless read.
    expect(pulled - pulledBeforeStreaming).toBeLessThanOrEqual(20);
    expect(pulledBeforeStreaming).toBeLessThanOrEqual(2);
  });

  it("bounds the uploads in progress at once: one more answers 503 with Retry-After, and a slot frees when one ends", async () => {
    const png = await sharp(first!).resize(40, 40).png().toBuffer();
    // An upload whose body arrives slowly holds a slot until it is read.
    const formResponse = new Response(form([{ name: "slow.png", bytes: png }]));
    const type = formResponse.headers.get("content-type")!;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reader = formResponse.body!.getReader();
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await released;
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
    });
    const options = { store, imageStore, limits: { concurrentUploads: 1 } };
    const held = handleUpload(post(slow, { Cookie: clinician, "Content-Type": type }), options);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await handleUpload(
      post(form([{ name: "b.png", bytes: png }]), { Cookie: clinician }),
      options,
    );
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("CXRLAB_UPLOAD_CONCURRENCY");
    release();
    expect((await held).status).toBe(200);
    const after = await handleUpload(
      post(form([{ name: "c.png", bytes: png }]), { Cookie: clinician }),
      options,
    );
    expect(after.status).toBe(200);
  });

  it("rejects a file above the per-file limit unread (413) and keeps the others of the request", async () => {
    const small = await sharp(first!).resize(64, 64).png().toBuffer();
    const { status, report } = await upload(
      clinician,
      [
        { name: "big.png", bytes: first! },
        { name: "small.png", bytes: small },
      ],
      {},
      {},
      { fileBytes: first!.length - 1 },
    );
    expect(status).toBe(200);
    expect(report.new.map((e) => e.file)).toEqual(["small.png"]);
    expect(report.rejected).toEqual([
      { file: "big.png", reason: expect.stringMatching(/more than the limit of .* a file$/), kind: "size" },
    ]);
    const alone = await upload(clinician, [{ name: "big.png", bytes: first! }], {}, {}, { fileBytes: 1000 });
    expect(alone.status).toBe(413);
  });

  it("refuses cross-site requests (403): a foreign Origin, Sec-Fetch-Site cross-site, or a cookie without either", async () => {
    const before = await store.prisma.image.count();
    const foreign = await upload(
      clinician,
      [{ name: "a.png", bytes: second! }],
      {},
      { Origin: "https://evil.example" },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.text).toContain("request from https://evil.example refused");
    const request = (headers: Record<string, string>) => {
      const r = post(form([{ name: "a.png", bytes: second! }]), { Cookie: clinician, ...headers });
      r.headers.delete("origin");
      return handleUpload(r, { store, imageStore });
    };
    expect((await request({ "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    expect((await request({ "Sec-Fetch-Site": "same-site" })).status).toBe(403);
    expect((await request({})).status).toBe(403);
    expect(await store.prisma.image.count()).toBe(before);
  });

  it("trusts the loopback addresses of the served port, never the Host header a client sends", async () => {
    // Next builds request.url from the address and port it listens on; Host is the client's word
    // (a page that re-points its own name at this machine sends its own name there).
    const send = (origin: string) =>
      handleUpload(
        new Request("http://localhost:3000/api/uploads", {
          method: "POST",
          headers: { Host: "rebound.example:3000", Origin: origin, Cookie: clinician },
          body: form([{ name: "again.png", bytes: first! }]),
        }),
        { store, imageStore },
      );
    for (const origin of ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000"]) {
      expect((await send(origin)).status, origin).toBe(200);
    }
    expect((await send("http://rebound.example:3000")).status).toBe(403);
    expect((await send("http://127.0.0.1:3001")).status).toBe(403);
    expect((await send("https://localhost:3000")).status).toBe(403);
    expect((await send("null")).status).toBe(403);
  });

  it("trusts the origin of CXRLAB_PUBLIC_URL behind a proxy, not the internal address the server sees", async () => {
    const part = [{ name: "again.png", bytes: first! }];
    vi.stubEnv("CXRLAB_PUBLIC_URL", "https://cxrlab.hospital.example");
    try {
      expect((await upload(clinician, part, {}, { Origin: "https://cxrlab.hospital.example" })).status).toBe(
        200,
      );
      expect((await upload(clinician, part)).status).toBe(403);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("answers 401 to an anonymous request and 403 to a viewer or a clinician of another project", async () => {
    const part = [{ name: "a.png", bytes: second! }];
    const anonymous = await upload(null, part);
    expect(anonymous.status).toBe(401);
    // Nobody signed in is told so first, whatever the request's origin.
    expect((await upload(null, part, {}, { Origin: "https://evil.example" })).status).toBe(401);
    expect((await upload("better-auth.session_token=forged.value", part)).status).toBe(401);
    const asViewer = await upload(viewer, part);
    expect(asViewer.status).toBe(403);
    const elsewhere = await upload(otherClinician, part);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.text).toContain("you may not add images to project chest");
    expect((await upload(clinician, part, { project: "no-such-project" })).status).toBe(403);
  });

  it("takes an API token without Origin (no browser, no cookie) and keeps each project's patients its own", async () => {
    const { token } = await createApiToken(store, otherClinicianId, "uploads");
    const send = async (bytes: Buffer, patientId: string) => {
      const request = post(form([{ name: "other.png", bytes }], { project: "other", patientId }), {
        Authorization: `Bearer ${token}`,
      });
      request.headers.delete("origin");
      const response = await handleUpload(request, { store, imageStore });
      return { status: response.status, report: (await response.json()) as UploadReport };
    };
    // Bytes chest already holds: "known", without naming chest's image or patient.
    const known = await send(second!, "OTHER-1");
    expect(known.status).toBe(200);
    expect(known.report.known).toEqual([{ file: "other.png", format: "png" }]);
    // UP-1 is chest's patient: an upload to "other" may not add to that record.
    const fresh = await sharp(first!).resize(100, 100).png().toBuffer();
    const refused = await send(fresh, "UP-1");
    expect(refused.status).toBe(422);
    expect(refused.report.rejected).toEqual([
      {
        file: "other.png",
        // Nothing of chest's (its patient, its project) is named to an uploader of another project.
        reason:
          "not archived: its patient ID or study UID cannot be used in project other (an administrator of the archive can say why)",
        kind: "content",
      },
    ]);
    const taken = await send(fresh, "OTHER-1");
    expect(taken.status).toBe(200);
    expect(taken.report.new[0]).toMatchObject({ file: "other.png", image: { patientId: "OTHER-1" } });
  });
  it("keeps a patient's first demographics: the response and the audit name a later DICOM's other values", async () => {
    const dicom = (left: number, attributes: Record<string, string>) =>
      buildDicom({
        width: 16,
        height: 16,
        pixels: Array.from({ length: 256 }, (_, i) => left + (i % 16)),
        bitsAllocated: 8,
        window: { center: 128, width: 256 },
        attributes: { PatientID: "DEMO-1", StudyInstanceUID: "1.2.9.1", ...attributes },
      });
    const firstScan = await dicom(10, { PatientName: "Roe^Ann", SOPInstanceUID: "1.2.9.1.1" });
    expect((await upload(clinician, [{ name: "a.dcm", bytes: firstScan }], { patientId: "" })).status).toBe(
      200,
    );
    const later = await dicom(40, {
      PatientName: "Roe^Anne",
      PatientSex: "F",
      SOPInstanceUID: "1.2.9.1.2",
    });
    const { status, report } = await upload(clinician, [{ name: "b.dcm", bytes: later }], { patientId: "" });
    expect(status).toBe(200);
    expect(report.new).toHaveLength(1);
    expect(report.conflicts).toEqual([
      { file: "b.dcm", patientId: "DEMO-1", issuer: "", field: "name", kept: "Roe^Ann", refused: "Roe^Anne" },
    ]);
    expect(report.filled).toEqual([
      { file: "b.dcm", patientId: "DEMO-1", issuer: "", field: "sex", value: "F" },
    ]);
    const patient = await store.prisma.patient.findFirstOrThrow({ where: { patientId: "DEMO-1" } });
    expect(patient).toMatchObject({ name: "Roe^Ann", sex: "F" });
    const audit = await listAuditEvents(store, { action: "patient.demographics." });
    expect(audit.items.map((e) => [e.action, e.actorEmail, e.projectId, e.targetId, e.details])).toEqual([
      [
        "patient.demographics.fill",
        clinicianEmail,
        patient.projectId,
        String(patient.id),
        { file: "b.dcm", patientId: "DEMO-1", issuer: "", field: "sex", value: "F" },
      ],
      [
        "patient.demographics.conflict",
        clinicianEmail,
        patient.projectId,
        String(patient.id),
        {
          file: "b.dcm",
          patientId: "DEMO-1",
          issuer: "",
          field: "name",
          kept: "Roe^Ann",
          refused: "Roe^Anne",
        },
      ],
    ]);
  });
});

describe("POST /api/uploads in a project with a default model", () => {
  it("queues the new images' prediction with that model, as the system, audited as the uploader's", async () => {
    const run = await createRun(store, {
      config: { ...testConfig(64), name: "chest-default" },
      project: "chest",
    });
    await updateRunStatus(store, run.id, "succeeded", {
      model: { location: path.join(dir, "model"), bytes: 1 },
    });
    await promoteRun(store, run.projectId!, run.id, null);
    const bytes = await sharp(second!).rotate(90).png().toBuffer();
    const { status, report } = await upload(clinician, [{ name: "arrived.png", bytes }], {
      patientId: "ARR-1",
    });
    expect(status).toBe(200);
    expect(report.new.map((n) => n.file)).toEqual(["arrived.png"]);
    const imageId = report.new[0]!.image!.id;
    expect(report.predictions).toEqual({
      queued: 1,
      jobs: [{ jobId: expect.any(String), runId: run.id, projectId: run.projectId, images: 1 }],
      notQueued: [],
    });
    const queue = await openQueue(store);
    try {
      const job = await queue.get(report.predictions.jobs[0]!.jobId);
      expect(job?.job).toEqual({ kind: "predict-images", runId: run.id, options: { imageIds: [imageId] } });
    } finally {
      await queue.close();
    }
    const audit = await listAuditEvents(store, { action: "predictions.queue" });
    expect(audit.items.map((e) => [e.actorEmail, e.projectId, e.targetId])).toEqual([
      [clinicianEmail, run.projectId, String(run.id)],
    ]);
    // The same bytes again are known, not new: nothing more is queued.
    const again = await upload(clinician, [{ name: "again.png", bytes }], { patientId: "ARR-1" });
    expect(again.report.predictions).toEqual({ queued: 0, jobs: [], notQueued: [] });
  });
});
