import { deflateRawSync } from "node:zlib";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { grayPng, isDicom, parseDicomDate, readDicom, readDicomMetadata } from "./index.ts";
import { buildDicom, rleFrame, type TestDicom, TRANSFER_SYNTAX } from "./test-dicom.ts";

async function render(spec: TestDicom) {
  const { image, metadata } = await readDicom(await buildDicom(spec), "test.dcm");
  return { pixels: [...image.gray], width: image.width, height: image.height, metadata };
}

// A window of width 256 centred on c maps x to x - c + 128 (PS3.3 C.11.2.1.2), so expected
// values below are plain arithmetic.
const IDENTITY_WINDOW = { center: 128, width: 256 };

// modality 2x - 2048: -48, 0, 72, 6142 -> windowed x + 128, clipped: 80, 128, 200, 255
const RESCALED_12_BIT = {
  width: 4,
  height: 1,
  bitsStored: 12,
  // Bits above BitsStored are not part of the value (the first word is 1000 with junk on top).
  pixels: [0xf000 | 1000, 1024, 1060, 4095],
  rescale: { slope: 2, intercept: -2048 },
  window: { center: 0, width: 256 },
};

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
    const { pixels, width, height } = await render(RESCALED_12_BIT);
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
      transferSyntax: TRANSFER_SYNTAX.jpegXlLossless,
      fragment: new Uint8Array([0xff, 0x0a, 0xfa, 0x7f]),
    });
    await expect(readDicom(bytes, "ct.dcm")).rejects.toThrow(
      "ct.dcm: transfer syntax 1.2.840.10008.1.2.4.110 (JPEG XL Lossless) is not supported",
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

/** Constant stretches (runs longer than PackBits' 128) then varied values (long literals). */
const mixed = (count: number, flat: number, max: number) =>
  Array.from({ length: count }, (_, i) => (i < 300 ? flat : (i * 7919) % max));

describe("RLE Lossless", () => {
  const base = { width: 37, height: 23 } as const;

  it("decodes 16- and 8-bit frames to exactly the pixels of the same image uncompressed", async () => {
    const cases: TestDicom[] = [
      { ...base, pixels: mixed(37 * 23, 1234, 65536) },
      { ...base, pixels: mixed(37 * 23, 0xf000 | 1000, 65536), bitsStored: 12, pixelRepresentation: 1 },
      { ...base, bitsAllocated: 8, pixels: mixed(37 * 23, 7, 256), window: { center: 100, width: 120 } },
    ];
    for (const spec of cases) {
      const rle = await render({ ...spec, transferSyntax: TRANSFER_SYNTAX.rleLossless });
      const plain = await render(spec);
      expect(rle.metadata.transferSyntaxUid).toBe(TRANSFER_SYNTAX.rleLossless);
      expect(new Set(plain.pixels).size).toBeGreaterThan(30);
      expect(rle.pixels).toEqual(plain.pixels);
    }
  });

  it("applies rescale, window and MONOCHROME1 to RLE pixels", async () => {
    const { pixels } = await render({
      ...RESCALED_12_BIT,
      photometric: "MONOCHROME1",
      transferSyntax: TRANSFER_SYNTAX.rleLossless,
    });
    // 80, 128, 200, 255 inverted
    expect(pixels).toEqual([175, 127, 55, 0]);
  });

  it("refuses a malformed frame, naming the file and the fault", async () => {
    const pixels = [1, 2, 3, 4];
    const spec = { width: 2, height: 2, pixels, transferSyntax: TRANSFER_SYNTAX.rleLossless };
    const valid = rleFrame(pixels, 16);
    const withWord = (at: number, value: number) => {
      const frame = valid.slice();
      new DataView(frame.buffer).setUint32(at, value, true);
      return frame;
    };
    const segment8 = (...bytes: number[]) => {
      const frame = new Uint8Array(64 + bytes.length);
      new DataView(frame.buffer).setUint32(0, 1, true);
      new DataView(frame.buffer).setUint32(4, 64, true);
      frame.set(bytes, 64);
      return frame;
    };
    const faults: [Uint8Array, 8 | 16, string][] = [
      [withWord(0, 1), 16, "bad.dcm: RLE header lists 1 segments; a grey image of 16-bit pixels has 2"],
      [
        withWord(8, valid.length + 2),
        16,
        `bad.dcm: RLE segment 1 of 2 would span bytes 64..${valid.length + 2}`,
      ],
      [withWord(4, 20), 16, "bad.dcm: RLE segment 1 of 2 would span bytes 20.."],
      [withWord(8, 64), 16, "bad.dcm: RLE segment 1 of 2 would span bytes 64..64"],
      [valid.subarray(0, 40), 16, "bad.dcm: RLE frame of 40 bytes is shorter than its 64-byte header"],
      // repeat 7 three times: 3 of the 4 bytes
      [segment8(0xfe, 7), 8, "bad.dcm: RLE segment 1 of 1 decodes to 3 bytes; a frame plane has 4"],
      [segment8(0xfb, 7), 8, "bad.dcm: RLE segment 1 of 1 decodes to more than the 4 bytes of a frame plane"],
      [segment8(0x03, 1, 2), 8, "bad.dcm: RLE segment 1 of 1 ends inside a literal run"],
    ];
    for (const [fragment, bitsAllocated, message] of faults) {
      const bytes = await buildDicom({ ...spec, bitsAllocated, fragment });
      await expect(readDicom(bytes, "bad.dcm")).rejects.toThrow(message);
    }
    // The same frame with a valid segment (literal 4 bytes, then a pad byte) decodes.
    const fine = await buildDicom({ ...spec, bitsAllocated: 8, fragment: segment8(0x03, 1, 2, 3, 4, 0) });
    expect([...(await readDicom(fine, "ok.dcm")).image.gray]).toEqual([0, 85, 170, 255]);
  });

  it("refuses a colour photometric interpretation with one sample, naming the file", async () => {
    const bytes = await buildDicom({
      width: 2,
      height: 1,
      bitsAllocated: 8,
      pixels: [1, 2],
      transferSyntax: TRANSFER_SYNTAX.rleLossless,
      attributes: { PhotometricInterpretation: "RGB" },
    });
    await expect(readDicom(bytes, "rgb.dcm")).rejects.toThrow(
      "rgb.dcm: photometric interpretation RGB with 1 samples per pixel; read are MONOCHROME1/2 with 1 sample and RGB, YBR_FULL, YBR_FULL_422, YBR_RCT, YBR_ICT with 3",
    );
  });
});

describe("Deflated Explicit VR Little Endian", () => {
  const spec: TestDicom = {
    width: 37,
    height: 23,
    pixels: mixed(37 * 23, 1234, 4096),
    bitsStored: 12,
    rescale: { slope: 1, intercept: -1024 },
    attributes: { IssuerOfPatientID: "HOSP-A", AccessionNumber: "ACC-9" },
  };

  it("reads the same metadata and pixels as its uncompressed twin", async () => {
    const bytes = await buildDicom({ ...spec, transferSyntax: TRANSFER_SYNTAX.deflatedExplicitLittle });
    const plainBytes = await buildDicom(spec);
    // The data set really is deflated: the pixel words alone would not fit.
    expect(bytes.length).toBeLessThan(plainBytes.length);
    const deflated = await readDicom(bytes, "d.dcm");
    const plain = await readDicom(plainBytes, "p.dcm");
    expect(deflated.metadata).toEqual({
      ...plain.metadata,
      transferSyntaxUid: TRANSFER_SYNTAX.deflatedExplicitLittle,
    });
    expect(deflated.metadata).toMatchObject({
      patientId: "TEST-1",
      issuerOfPatientId: "HOSP-A",
      studyInstanceUid: "1.2.826.0.1.3680043.8.498.1",
      sopInstanceUid: "1.2.826.0.1.3680043.8.498.1.1",
    });
    expect(readDicomMetadata(bytes, "d.dcm")).toEqual(deflated.metadata);
    expect(new Set(plain.image.gray).size).toBeGreaterThan(30);
    expect([...deflated.image.gray]).toEqual([...plain.image.gray]);
  });

  it("reads a file whose preamble is not zeros", async () => {
    const bytes = await buildDicom({ ...spec, transferSyntax: TRANSFER_SYNTAX.deflatedExplicitLittle });
    bytes.write("II*\0 a TIFF header may share the preamble", 0, "latin1");
    expect(readDicomMetadata(bytes, "tiff.dcm").patientId).toBe("TEST-1");
  });

  it("refuses a corrupt or oversized deflate stream, naming the file", async () => {
    const bytes = await buildDicom({ ...spec, transferSyntax: TRANSFER_SYNTAX.deflatedExplicitLittle });
    const metaEnd = 144 + bytes.readUInt32LE(140);
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0xff, metaEnd, metaEnd + 4);
    const message = "the deflated data set (Deflated Explicit VR Little Endian) cannot be read";
    await expect(readDicom(corrupt, "corrupt.dcm")).rejects.toThrow(
      `corrupt.dcm: ${message}: invalid block type`,
    );
    expect(() => readDicomMetadata(bytes.subarray(0, metaEnd + 20), "cut.dcm")).toThrow(
      `cut.dcm: ${message}: unexpected end of file`,
    );
    // 80 MiB of zeros deflate to ~80 KB; inflating stops at 2 bytes a pixel + the file size limit.
    const bomb = Buffer.concat([bytes.subarray(0, metaEnd), deflateRawSync(Buffer.alloc(80 * 2 ** 20))]);
    await expect(readDicom(bomb, "bomb.dcm", { maxPixels: 1 })).rejects.toThrow(
      `bomb.dcm: ${message}: it inflates to more than 64 MiB`,
    );
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
