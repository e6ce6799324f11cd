// Runs in a worker thread (worker.ts starts it): decodes one frame at a time with the codec of its
// family and posts back the samples, or the codec's reason for refusing them. Plain JavaScript,
// because a worker thread loads its script with Node's own loader, which reads no TypeScript.
import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";

const require = createRequire(import.meta.url);

/** Messages the Emscripten builds print (OpenJPEG's [INFO]/[ERROR] lines), kept for the reason. */
let printed = [];
const quiet = { print: (line) => printed.push(line), printErr: (line) => printed.push(line) };

/** The WebAssembly builds that @cornerstonejs/dicom-image-loader (OHIF) uses, by family. */
const WASM = {
  jpeg2000: { module: "@cornerstonejs/codec-openjpeg/decodewasmjs", decoder: "J2KDecoder" },
  htj2k: { module: "@cornerstonejs/codec-openjph/wasmjs", decoder: "HTJ2KDecoder" },
  "jpeg-ls": { module: "@cornerstonejs/codec-charls/decodewasmjs", decoder: "JpegLSDecoder" },
};

const instances = new Map();

function wasmCodec(family) {
  if (!instances.has(family)) {
    // Node's own require, not a bundler's (the dashboard's Turbopack build bundles this worker): the
    // Emscripten glue finds its .wasm beside its own file, which it must be loaded from.
    const factory = require(/* turbopackIgnore: true */ WASM[family].module);
    instances.set(family, factory({ ...quiet }));
  }
  return instances.get(family);
}

/** A thrown Emscripten exception is a pointer; the builds that can name it say what it was. */
function reasonOf(codec, error) {
  if (typeof error === "number") {
    const named = codec?.getExceptionMessage?.(error);
    const message = Array.isArray(named) ? named.filter(Boolean).join(": ") : named;
    const errors = printed.filter((line) => /error/i.test(line));
    return message || errors.at(-1) || `the codec failed (exception ${error})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return printed.filter((line) => /error/i.test(line)).at(-1) ?? message;
}

async function decodeWasm(family, bytes) {
  const codec = await wasmCodec(family);
  const decoder = new codec[WASM[family].decoder]();
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bits: info.bitsPerSample,
      // CharLS writes the components of a stream without interleaving (mode 0) one after another.
      planar: family === "jpeg-ls" && decoder.getInterleaveMode() === 0 && info.componentCount > 1,
      data: Uint8Array.from(decoder.getDecodedBuffer()),
    };
  } catch (error) {
    throw new Error(reasonOf(codec, error));
  } finally {
    decoder.delete();
  }
}

/** dcmjs-codecs' NativeCodecs and Context, once its WebAssembly is instantiated. */
let ijg;

/**
 * 12-bit JPEG Extended, by the IJG libjpeg 6b 12-bit build (DCMTK's libijg12) in dcmjs-codecs'
 * WebAssembly: 16-bit words, YCbCr converted to RGB as libjpeg does for 8 bits.
 */
async function decodeJpeg12(bytes, declared) {
  if (!ijg) {
    const { NativeCodecs, Context } = require(/* turbopackIgnore: true */ "dcmjs-codecs");
    await NativeCodecs.initializeAsync();
    ijg = { NativeCodecs, Context };
  }
  const { NativeCodecs, Context } = ijg;
  const colour = declared.components === 3;
  try {
    const decoded = NativeCodecs.decodeJpeg(
      new Context({
        width: declared.width,
        height: declared.height,
        bitsAllocated: 16,
        bitsStored: declared.bits,
        samplesPerPixel: declared.components,
        pixelRepresentation: 0,
        planarConfiguration: 0,
        photometricInterpretation: colour ? "YBR_FULL" : "MONOCHROME2",
        encodedBuffer: bytes,
      }),
      { convertColorspaceToRgb: colour },
    );
    return { ...declared, planar: false, data: decoded.getDecodedBuffer() };
  } catch (error) {
    // libjpeg's error exit throws through the WebAssembly frames without their clean-up (its stack
    // pointer and allocations stay where they were): the next frame gets a fresh instance.
    NativeCodecs.release();
    ijg = undefined;
    // "JpegDecoder12::ErrorExit::Bogus marker length": the reason is libjpeg's message.
    throw new Error(String(error?.message ?? error).replace(/^(\w+::)+/, ""));
  }
}

async function decodeLossless(bytes, bytesPerSample) {
  const { Decoder } = await import("@cornerstonejs/jpeg-lossless-decoder-js");
  const decoder = new Decoder();
  const out = decoder.decode(bytes.buffer, bytes.byteOffset, bytes.length, bytesPerSample);
  return {
    width: decoder.xDim,
    height: decoder.yDim,
    components: decoder.numComp,
    bits: decoder.frame.precision,
    planar: false,
    data: new Uint8Array(out.buffer, out.byteOffset, out.byteLength),
  };
}

parentPort.on("message", async ({ id, family, bytes, bytesPerSample, declared }) => {
  printed = [];
  try {
    const frame =
      family === "jpeg-lossless"
        ? await decodeLossless(bytes, bytesPerSample)
        : family === "jpeg-12bit"
          ? await decodeJpeg12(bytes, declared)
          : await decodeWasm(family, bytes);
    parentPort.postMessage({ id, frame }, [frame.data.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: reasonOf(undefined, error) });
  }
});
