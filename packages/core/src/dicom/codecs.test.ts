// Compressed files made by other tools (DCMTK, GDCM, OpenJPH's ojph_compress; .ci/run installs them)
// from uncompressed files, read back and compared pixel by pixel with their uncompressed twin.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import dicomParser from "dicom-parser";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { sharedPaths } from "../paths.ts";
import { jpegFrameHeader } from "./codecs/codestream.ts";
import { decodeFrame } from "./codecs/index.ts";
import { readDicom } from "./index.ts";
import { buildDicom, type TestDicom, TRANSFER_SYNTAX } from "./test-dicom.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cxrlab-codecs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a DICOM tool; a missing one fails the test, naming the package .ci/run installs. */
function tool(command: string, ...args: string[]): void {
  try {
    execFileSync(command, args, { stdio: "pipe" });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === "ENOENT") {
      throw new Error(`${command} is not installed: .ci/run installs dcmtk, libgdcm-tools and openjph-tools`);
    }
    throw new Error(`${command} ${args.join(" ")} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

const file = (name: string) => path.join(dir, name);
const read = async (name: string) => (await readDicom(readFileSync(file(name)), name)).image;
const syntaxOf = (name: string) => dicomParser.readPart10Header(readFileSync(file(name))).string("x00020010");

/** The first fragment of a tool-made file: its codestream. */
function codestream(name: string): Uint8Array {
  const bytes = readFileSync(file(name));
  const fragment = dicomParser.parseDicom(bytes).elements.x7fe00010!.fragments![0]!;
  return bytes.subarray(fragment.position, fragment.position + fragment.length);
}

const W = 67;
const H = 45;
/** Smooth ramps with noise: many distinct values, as a radiograph has. */
const pattern = (max: number, frame = 0) =>
  Array.from(
    { length: W * H },
    (_, i) => ((i % W) * 53 + Math.floor(i / W) * 31 + ((i * 7919) % 97) + frame * 997) % (max + 1),
  );

const SOURCES: Record<string, TestDicom> = {
  "12-bit": { width: W, height: H, bitsStored: 12, pixels: pattern(4095) },
  "8-bit": { width: W, height: H, bitsAllocated: 8, pixels: pattern(255) },
  "signed 16-bit": {
    width: W,
    height: H,
    pixelRepresentation: 1,
    pixels: pattern(65535).map((v) => v ^ 0x8000),
  },
  MONOCHROME1: { width: W, height: H, bitsStored: 12, photometric: "MONOCHROME1", pixels: pattern(4095) },
};

/** ojph_compress reads PGM: a 12- or 8-bit grey image, big-endian words above 8 bits. */
function htj2k(spec: TestDicom, name: string, ...options: string[]): Uint8Array {
  const max = 2 ** (spec.bitsStored ?? spec.bitsAllocated ?? 16) - 1;
  const words = max > 255 ? Buffer.alloc(W * H * 2) : Buffer.from(spec.pixels);
  if (max > 255) for (const [i, v] of spec.pixels.entries()) words.writeUInt16BE(v, i * 2);
  writeFileSync(file(`${name}.pgm`), Buffer.concat([Buffer.from(`P5\n${W} ${H}\n${max}\n`), words]));
  tool("ojph_compress", "-i", file(`${name}.pgm`), "-o", file(`${name}.j2c`), ...options);
  return readFileSync(file(`${name}.j2c`));
}

type Encoder = (source: string, out: string, spec: TestDicom) => Promise<void> | void;

const LOSSLESS: [string, string, Encoder][] = [
  [
    "JPEG 2000 lossless (gdcmconv --j2k)",
    "1.2.840.10008.1.2.4.90",
    (i, o) => tool("gdcmconv", "--j2k", i, o),
  ],
  ["JPEG-LS lossless (dcmcjpls)", "1.2.840.10008.1.2.4.80", (i, o) => tool("dcmcjpls", i, o)],
  ["JPEG lossless SV1 (dcmcjpeg +e1)", "1.2.840.10008.1.2.4.70", (i, o) => tool("dcmcjpeg", "+e1", i, o)],
  [
    "JPEG lossless process 14 (dcmcjpeg +el)",
    "1.2.840.10008.1.2.4.57",
    (i, o) => tool("dcmcjpeg", "+el", i, o),
  ],
  [
    "HTJ2K lossless (ojph_compress -reversible true)",
    TRANSFER_SYNTAX.htj2kLossless,
    async (_, o, spec) => {
      const fragment = htj2k(spec, path.basename(o), "-reversible", "true");
      writeFileSync(
        o,
        await buildDicom({ ...spec, transferSyntax: TRANSFER_SYNTAX.htj2kLossless, fragment }),
      );
    },
  ],
];

describe("lossless syntaxes decode to exactly the uncompressed twin's pixels", () => {
  for (const [label, spec] of Object.entries(SOURCES)) {
    it(label, async () => {
      const source = `${label}.dcm`.replace(/ /g, "-");
      writeFileSync(file(source), await buildDicom(spec));
      const plain = await read(source);
      expect(new Set(plain.gray).size).toBeGreaterThan(100);
      for (const [what, uid, encode] of LOSSLESS) {
        // PGM holds no signed values.
        if (spec.pixelRepresentation === 1 && uid === TRANSFER_SYNTAX.htj2kLossless) continue;
        const out = `${source}.${uid}.dcm`;
        await encode(file(source), file(out), spec);
        expect(syntaxOf(out), what).toBe(uid);
        expect([...(await read(out)).gray], `${label}, ${what}`).toEqual([...plain.gray]);
      }
    });
  }

  it("reads the first frame of a multi-frame file in each syntax", async () => {
    const frames = [0, 1, 2].map((f) => pattern(4095, f));
    writeFileSync(
      file("multi.dcm"),
      await buildDicom({ width: W, height: H, bitsStored: 12, frames: 3, pixels: frames.flat() }),
    );
    writeFileSync(
      file("frame1.dcm"),
      await buildDicom({ width: W, height: H, bitsStored: 12, pixels: frames[0]! }),
    );
    const first = [...(await read("frame1.dcm")).gray];
    expect([...(await read("multi.dcm")).gray]).toEqual(first);
    for (const [what, uid, encode] of LOSSLESS.filter(([, uid]) => uid !== TRANSFER_SYNTAX.htj2kLossless)) {
      await encode(file("multi.dcm"), file(`multi.${uid}.dcm`), SOURCES["12-bit"]!);
      expect([...(await read(`multi.${uid}.dcm`)).gray], what).toEqual(first);
    }
    tool("dcmcrle", file("multi.dcm"), file("multi.rle.dcm"));
    expect([...(await read("multi.rle.dcm")).gray]).toEqual(first);
  });
});

/** The 16-bit words of an uncompressed little-endian file's Pixel Data. */
function nativeWords(name: string): number[] {
  const bytes = readFileSync(file(name));
  const element = dicomParser.parseDicom(bytes).elements.x7fe00010!;
  const view = new DataView(bytes.buffer, bytes.byteOffset + element.dataOffset, element.length);
  return Array.from({ length: element.length / 2 }, (_, i) => view.getUint16(i * 2, true));
}

const maxDifference = (a: Uint8Array, b: Uint8Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe("lossy syntaxes", () => {
  it("JPEG 2000 (gdcmconv --j2k --lossy) decodes as GDCM decodes it", async () => {
    // Values well inside 12 bits: a lossy decoder's overshoot past 4095 would be clamped here and
    // masked in GDCM's uncompressed output.
    const pixels = pattern(3000).map((v) => v + 500);
    writeFileSync(file("lossy.dcm"), await buildDicom({ ...SOURCES["12-bit"]!, pixels }));
    tool("gdcmconv", "--j2k", "--lossy", "-q", "40", file("lossy.dcm"), file("lossy.j2k.dcm"));
    tool("gdcmconv", "--raw", file("lossy.j2k.dcm"), file("lossy.j2k.raw.dcm"));
    expect(syntaxOf("lossy.j2k.dcm")).toBe("1.2.840.10008.1.2.4.91");
    const decoded = await read("lossy.j2k.dcm");
    expect([...decoded.gray]).toEqual([...(await read("lossy.j2k.raw.dcm")).gray]);
    expect([...decoded.gray]).not.toEqual([...(await read("lossy.dcm")).gray]);
  });

  it("JPEG-LS near-lossless (gdcmconv --jpegls --lossy -e 2) stays within 2 of each stored value", async () => {
    for (const [label, spec] of Object.entries(SOURCES)) {
      const source = `near-${label.replace(/ /g, "-")}.dcm`;
      writeFileSync(file(source), await buildDicom({ ...spec, window: { center: 2048, width: 4096 } }));
      tool("gdcmconv", "--jpegls", "--lossy", "-e", "2", file(source), file(`${source}.jls`));
      expect(syntaxOf(`${source}.jls`)).toBe("1.2.840.10008.1.2.4.81");
      // A window one stored value wide per grey level would show a difference of 2 as 2: this one
      // shows 4096 values in 256 levels, so at most 1 level apart.
      const plain = await read(source);
      const near = await read(`${source}.jls`);
      expect(maxDifference(near.gray, plain.gray), label).toBeLessThanOrEqual(1);
    }
  });

  it("HTJ2K (ojph_compress, irreversible) decodes as ojph_expand decodes it", async () => {
    const spec = SOURCES["12-bit"]!;
    const fragment = htj2k(spec, "lossy-ht", "-qstep", "0.01");
    writeFileSync(
      file("lossy-ht.dcm"),
      await buildDicom({ ...spec, transferSyntax: TRANSFER_SYNTAX.htj2k, fragment }),
    );
    tool("ojph_expand", "-i", file("lossy-ht.j2c"), "-o", file("lossy-ht.out.pgm"));
    const pgm = readFileSync(file("lossy-ht.out.pgm"));
    const words = pgm.subarray(pgm.length - W * H * 2);
    const expanded = Array.from({ length: W * H }, (_, i) => words.readUInt16BE(i * 2));
    writeFileSync(file("lossy-ht.twin.dcm"), await buildDicom({ ...spec, pixels: expanded }));
    const decoded = await read("lossy-ht.dcm");
    expect([...decoded.gray]).toEqual([...(await read("lossy-ht.twin.dcm")).gray]);
    expect(expanded).not.toEqual(spec.pixels);
  });

  it("8-bit JPEG Extended (dcmcjpeg +ee) decodes within 1 of DCMTK's own decoding", async () => {
    writeFileSync(file("ext8.dcm"), await buildDicom(SOURCES["8-bit"]!));
    tool("dcmcjpeg", "+ee", file("ext8.dcm"), file("ext8.jpg.dcm"));
    tool("dcmdjpeg", file("ext8.jpg.dcm"), file("ext8.raw.dcm"));
    expect(syntaxOf("ext8.jpg.dcm")).toBe("1.2.840.10008.1.2.4.51");
    expect(
      maxDifference((await read("ext8.jpg.dcm")).gray, (await read("ext8.raw.dcm")).gray),
    ).toBeLessThanOrEqual(1);
  });

  it("12-bit JPEG Extended (dcmcjpeg +ee) of a radiograph decodes as DCMTK decodes it, close to the uncompressed twin", async () => {
    // A cxr-sample radiograph at 12 bits: each pixel the sum of its 4×4 neighbourhood in the 8-bit
    // PNG (0..4080), so its values are a real image's and use the 12 bits.
    const png = path.join(sharedPaths.sample(), "COVID", "lundis_COVID-1.png");
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const width = info.width - 3;
    const height = info.height - 3;
    const pixels = Array.from({ length: width * height }, (_, i) => {
      const [x, y] = [i % width, Math.floor(i / width)];
      let sum = 0;
      for (let dy = 0; dy < 4; dy++)
        for (let dx = 0; dx < 4; dx++) sum += data[(y + dy) * info.width + x + dx]!;
      return sum;
    });
    expect(new Set(pixels).size).toBeGreaterThan(2000);
    writeFileSync(file("ext12.dcm"), await buildDicom({ width, height, bitsStored: 12, pixels }));
    tool("dcmcjpeg", "+ee", file("ext12.dcm"), file("ext12.jpg.dcm"));
    tool("dcmdjpeg", file("ext12.jpg.dcm"), file("ext12.raw.dcm"));
    expect(syntaxOf("ext12.jpg.dcm")).toBe("1.2.840.10008.1.2.4.51");
    const jpeg = codestream("ext12.jpg.dcm");
    expect(jpegFrameHeader(jpeg)).toEqual({ width, height, components: 1, bits: 12 });

    const info12 = { width, height, samples: 1, bitsAllocated: 16, bitsStored: 12 } as const;
    const where = { file: "ext12.jpg.dcm", uid: "1.2.840.10008.1.2.4.51" };
    const words = [...(await decodeFrame("jpeg", jpeg, info12, where)).words];
    // dcmdjpeg decodes with the same IJG 12-bit library (libijg12): the same words.
    expect(words).toEqual(nativeWords("ext12.raw.dcm"));
    // 12 bits kept: an 8-bit decoder would give at most 256 values.
    expect(new Set(words).size).toBeGreaterThan(1000);
    // dcmcjpeg's default quality 90 loses little. Shown over its full 12-bit range (16 stored values
    // a grey level), the error is on average under an eighth of a level and at most 2 levels, at the
    // sharpest edges (measured: 1.1 and 14).
    const errors = words.map((v, i) => Math.abs(v - pixels[i]!));
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(2);
    expect(Math.max(...errors)).toBeLessThanOrEqual(32);
    expect(Math.max(...errors)).toBeGreaterThan(0);
    // As ingest reads it: the same grey image as DCMTK's uncompressed output.
    expect([...(await read("ext12.jpg.dcm")).gray]).toEqual([...(await read("ext12.raw.dcm")).gray]);
  });
});

describe("colour", () => {
  // 16×16 blocks (one JPEG MCU each) of red, green, blue, white, mid grey and yellow.
  const COLOURS = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 255],
    [128, 128, 128],
    [255, 255, 0],
  ];
  const luma601 = ([r, g, b]: number[]) => Math.round(0.299 * r! + 0.587 * g! + 0.114 * b!);
  const centres = (gray: Uint8Array) => COLOURS.map((_, k) => gray[8 * 96 + 16 * k + 8]!);

  it("shows RGB and YBR files in every syntax as the BT.601 luma of their colours", async () => {
    const rgb = Buffer.from(
      Array.from({ length: 96 * 16 }, (_, i) => COLOURS[Math.floor((i % 96) / 16)]!).flat(),
    );
    await sharp(rgb, { raw: { width: 96, height: 16, channels: 3 } })
      .jpeg({ quality: 95 })
      .toFile(file("colour.jpg"));
    // img2dcm keeps the JPEG as it is: JPEG Baseline, YBR_FULL_422.
    tool("img2dcm", file("colour.jpg"), file("ybr.dcm"));
    tool("dcmdjpeg", file("ybr.dcm"), file("rgb.dcm"));
    tool("dcmdjpeg", "+cn", file("ybr.dcm"), file("ybr-native.dcm"));
    tool("dcmcrle", file("rgb.dcm"), file("rgb.rle.dcm"));
    tool("gdcmconv", "--j2k", file("rgb.dcm"), file("rgb.j2k.dcm"));
    tool("gdcmconv", "--jpegls", file("rgb.dcm"), file("rgb.jls.dcm"));
    tool("dcmcjpeg", "+e1", file("rgb.dcm"), file("rgb.sv1.dcm"));
    const expected = COLOURS.map(luma601);
    const native = await read("rgb.dcm");
    // YBR files keep their Y: the colours' luma up to the JPEG's loss (and RGB's saturation).
    for (const name of ["rgb.dcm", "ybr.dcm", "ybr-native.dcm"]) {
      const got = centres((await read(name)).gray);
      for (const [k, value] of got.entries()) {
        expect(Math.abs(value - expected[k]!), `${name}, colour ${k}`).toBeLessThanOrEqual(3);
      }
    }
    for (const name of ["rgb.rle.dcm", "rgb.j2k.dcm", "rgb.jls.dcm", "rgb.sv1.dcm"]) {
      expect([...(await read(name)).gray], name).toEqual([...native.gray]);
    }
  });
});

describe("malformed codestreams", () => {
  const families: [string, string, Encoder][] = [
    ...LOSSLESS.filter(([, uid]) => uid !== "1.2.840.10008.1.2.4.57"),
    ["JPEG-LS near-lossless", "1.2.840.10008.1.2.4.81", (i, o) => tool("dcmcjpls", "+en", i, o)],
    ["12-bit JPEG Extended", "1.2.840.10008.1.2.4.51", (i, o) => tool("dcmcjpeg", "+ee", i, o)],
  ];

  it("refuses a truncated codestream of each family, naming the file, the syntax and the reason, in bounded time", async () => {
    const spec = SOURCES["12-bit"]!;
    writeFileSync(file("good.dcm"), await buildDicom(spec));
    for (const [what, uid, encode] of families) {
      await encode(file("good.dcm"), file(`good.${uid}.dcm`), spec);
      const whole = codestream(`good.${uid}.dcm`);
      const started = Date.now();
      const cut = await buildDicom({
        ...spec,
        transferSyntax: uid,
        fragment: whole.subarray(0, whole.length >> 1),
      });
      await expect(readDicom(cut, "cut.dcm"), what).rejects.toThrow(
        /^cut\.dcm: cannot decode its pixel data in transfer syntax 1\.2\.840\.10008\.1\.2\.4\.\d+ \(.+\): the codestream is truncated/,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });

  it("survives garbled codestreams: each is refused or decoded at its header's size, and the next file still decodes", async () => {
    const spec = SOURCES["12-bit"]!;
    for (const [what, uid] of families) {
      const whole = codestream(`good.${uid}.dcm`);
      const garbled = Uint8Array.from(whole, (b, i) =>
        i > 100 && i < whole.length - 2 && i % 7 === 0 ? b ^ 0x5a : b,
      );
      const bytes = await buildDicom({ ...spec, transferSyntax: uid, fragment: garbled });
      const started = Date.now();
      const outcome = await readDicom(bytes, "garbled.dcm").then(
        ({ image }) => `${image.width}x${image.height}`,
        (error: Error) => error.message,
      );
      expect(outcome, what).toMatch(
        /^(67x45|garbled\.dcm: cannot decode its pixel data in transfer syntax .+: .+)$/,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await read(`good.${uid}.dcm`)).width).toBe(W);
    }
  });

  it("refuses a codestream that declares a larger frame than the header, before decoding it", async () => {
    const spec = SOURCES["12-bit"]!;
    const j2k = Uint8Array.from(codestream("good.1.2.840.10008.1.2.4.90.dcm"));
    // SIZ: FF4F FF51, Lsiz, Rsiz, then Xsiz at byte 8: claim 60000 columns.
    new DataView(j2k.buffer).setUint32(8, 60_000);
    const bytes = await buildDicom({
      ...spec,
      transferSyntax: TRANSFER_SYNTAX.jpeg2000Lossless,
      fragment: j2k,
    });
    await expect(readDicom(bytes, "big.dcm")).rejects.toThrow(
      "big.dcm: cannot decode its pixel data in transfer syntax 1.2.840.10008.1.2.4.90 (JPEG 2000 Image Compression (Lossless Only)): " +
        "the codestream is 60000×45, the header says 67×45 (Columns × Rows)",
    );
  });

  it("stops a decode that runs past its time limit, and the next decode starts a new worker", async () => {
    // A megapixel of noise takes the JPEG 2000 decoder far longer than 5 ms.
    const side = 1024;
    const pixels = Array.from({ length: side * side }, (_, i) => (i * 2654435761) % 4096);
    writeFileSync(file("slow.dcm"), await buildDicom({ width: side, height: side, bitsStored: 12, pixels }));
    tool("gdcmconv", "--j2k", file("slow.dcm"), file("slow.j2k.dcm"));
    const bytes = readFileSync(file("slow.j2k.dcm"));
    await expect(
      readDicom(bytes, "slow.dcm", { decodeLimits: { timeoutMs: 5, heapMb: 256 } }),
    ).rejects.toThrow(
      "slow.dcm: cannot decode its pixel data in transfer syntax 1.2.840.10008.1.2.4.90 (JPEG 2000 Image Compression (Lossless Only)): decoding took longer than 0.005 s; stopped",
    );
    expect((await readDicom(bytes, "again.dcm")).image.width).toBe(side);
  });
});
