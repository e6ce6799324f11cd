import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { grayPng, isDicom, parseDicomDate, readDicom, readDicomMetadata } from "./index.ts";
import { buildDicom, type TestDicom, TRANSFER_SYNTAX } from "./test-dicom.ts";

async function render(spec: TestDicom) {
  const { image, metadata } = await readDicom(await buildDicom(spec), "test.dcm");
  return { pixels: [...image.gray], width: image.width, height: image.height, metadata };
}

// A window of width 256 centred on c maps x to x - c + 128 (PS3.3 C.11.2.1.2), so expected
// values below are plain arithmetic.
const IDENTITY_WINDOW = { center: 128, width: 256 };

describe("readDicom pixels", () => {
  it("inverts MONOCHROME1 after the min-max stretch of an 8-bit image without a window", async () => {
    const { pixels } = await render({
      width: 2,
      height: 2,
      bitsAllocated: 8,
      pixels: [0, 50, 100, 200],
      photometric: "MONOCHROME1",
    });
    // min-max: 0, 63.75, 127.5, 255 -> rounded 0, 64, 128, 255 -> inverted
    expect(pixels).toEqual([255, 191, 127, 0]);
  });

  it("masks 16-bit words to BitsStored, then rescales, then windows", async () => {
    const { pixels, width, height } = await render({
      width: 4,
      height: 1,
      bitsStored: 12,
      // Bits above BitsStored are not part of the value (the first word is 1000 with junk on top).
      pixels: [0xf000 | 1000, 1024, 1060, 4095],
      rescale: { slope: 2, intercept: -2048 },
      window: { center: 0, width: 256 },
    });
    // modality 2x - 2048: -48, 0, 72, 6142 -> x + 128, clipped
    expect([width, height]).toEqual([4, 1]);
    expect(pixels).toEqual([80, 128, 200, 255]);
  });

  it("sign-extends signed stored values (PixelRepresentation 1)", async () => {
    const { pixels } = await render({
      width: 4,
      height: 1,
      bitsStored: 12,
      pixelRepresentation: 1,
      pixels: [4096 - 100, 0, 50, 0x0800],
      window: { center: 0, width: 256 },
    });
    // -100, 0, 50, -2048 -> x + 128, clipped
    expect(pixels).toEqual([28, 128, 178, 0]);
  });

  it("reads big-endian and implicit little-endian files the same as explicit little-endian", async () => {
    const spec = { width: 2, height: 1, pixels: [300, 301], window: { center: 300, width: 256 } };
    for (const transferSyntax of [TRANSFER_SYNTAX.explicitBig, TRANSFER_SYNTAX.implicitLittle]) {
      expect((await render({ ...spec, transferSyntax })).pixels).toEqual([128, 129]);
    }
  });

  it("applies the first item of a VOI LUT Sequence when there is no window", async () => {
    const { pixels } = await render({
      width: 4,
      height: 1,
      pixels: [9, 10, 12, 20],
      voiLut: { firstMapped: 10, bits: 8, data: [0, 85, 170, 255] },
    });
    // below the first mapped value -> first entry; past the end -> last entry
    expect(pixels).toEqual([0, 0, 170, 255]);
  });

  it("decodes a JPEG Baseline fragment", async () => {
    // Flat 8x8 blocks keep only DC coefficients, which quality 100 stores exactly.
    const pixels = Array.from({ length: 16 * 8 }, (_, i) => (i % 16 < 8 ? 40 : 200));
    const got = await render({
      width: 16,
      height: 8,
      pixels,
      transferSyntax: TRANSFER_SYNTAX.jpegBaseline,
      window: IDENTITY_WINDOW,
    });
    expect(got.metadata.transferSyntaxUid).toBe(TRANSFER_SYNTAX.jpegBaseline);
    expect(got.pixels).toEqual(pixels);
  });

  it("refuses a compressed syntax it cannot decode, naming it", async () => {
    const bytes = await buildDicom({
      width: 2,
      height: 2,
      pixels: [0, 0, 0, 0],
      transferSyntax: TRANSFER_SYNTAX.jpeg2000Lossless,
      fragment: new Uint8Array([0xff, 0x4f, 0xff, 0x51]),
    });
    await expect(readDicom(bytes, "ct.dcm")).rejects.toThrow(
      "ct.dcm: transfer syntax 1.2.840.10008.1.2.4.90 (JPEG 2000 Image Compression (Lossless Only)) is not supported",
    );
    // Metadata stays readable, so ingest can say whose image it refused.
    expect(readDicomMetadata(bytes, "ct.dcm").patientId).toBe("TEST-1");
  });

  it("renders a PNG of the grey image", async () => {
    const { image } = await readDicom(
      await buildDicom({ width: 3, height: 1, bitsAllocated: 8, pixels: [0, 10, 20] }),
      "x.dcm",
    );
    const png = await grayPng(image);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(["png", 3, 1, 1]);
    const data = await sharp(png).extractChannel(0).raw().toBuffer();
    expect([...data]).toEqual([0, 128, 255]);
  });
});

describe("readDicom metadata", () => {
  it("reads the archive's attributes, and leaves absent ones undefined", async () => {
    const bytes = await buildDicom({
      width: 1,
      height: 1,
      pixels: [0],
      attributes: {
        PatientID: undefined,
        IssuerOfPatientID: "HOSP-A",
        PatientBirthDate: "19700131",
        PatientSex: "F",
        AccessionNumber: "ACC-9",
        StudyDescription: "Chest PA",
        ViewPosition: "AP",
      },
    });
    expect(isDicom(bytes)).toBe(true);
    expect(readDicomMetadata(bytes, "x.dcm")).toEqual({
      transferSyntaxUid: TRANSFER_SYNTAX.explicitLittle,
      issuerOfPatientId: "HOSP-A",
      patientName: "Test^Patient",
      patientBirthDate: "19700131",
      patientSex: "F",
      studyInstanceUid: "1.2.826.0.1.3680043.8.498.1",
      studyDate: "20240102",
      accessionNumber: "ACC-9",
      studyDescription: "Chest PA",
      sopInstanceUid: "1.2.826.0.1.3680043.8.498.1.1",
      viewPosition: "AP",
      modality: "DX",
    });
  });

  it("says which file is not DICOM", async () => {
    const png = Buffer.alloc(200);
    expect(isDicom(png)).toBe(false);
    await expect(readDicom(png, "scan.png")).rejects.toThrow(/^scan\.png: not a readable DICOM file/);
  });

  it("parses DA dates, refusing impossible ones", () => {
    expect(parseDicomDate("20240229")).toEqual(new Date("2024-02-29T00:00:00Z"));
    expect(parseDicomDate("20230229")).toBeUndefined();
    expect(parseDicomDate("2024-01-01")).toBeUndefined();
  });
});
