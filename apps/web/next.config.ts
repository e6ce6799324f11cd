import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const here = dirname(fileURLToPath(import.meta.url));

const nextConfig: NextConfig = {
  // The workspace root, so that Turbopack resolves packages/* (hoisted node_modules live there too).
  turbopack: {
    root: join(here, "..", ".."),
  },
  outputFileTracingRoot: join(here, "..", ".."),
  // Our packages export TypeScript source that imports siblings with explicit `.ts` extensions.
  transpilePackages: [
    "@cxrlab/api",
    "@cxrlab/core",
    "@cxrlab/db",
    "@cxrlab/pacs",
    "@cxrlab/queue",
    "@cxrlab/validators",
  ],
  // Native addons, wasm loaders and the Prisma runtime load themselves from disk: keep them out of the bundle.
  serverExternalPackages: [
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-layers",
    "@tensorflow/tfjs-converter",
    "@tensorflow/tfjs-data",
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-backend-webgl",
    "@tensorflow/tfjs-node",
    "@tensorflow/tfjs-node-gpu",
    "sharp",
    "better-sqlite3",
    "onnxruntime-node",
    "h5wasm",
    // The DICOM decode worker's codecs load their .wasm beside their own files (core's dicom/codecs).
    "@cornerstonejs/codec-charls",
    "@cornerstonejs/codec-openjpeg",
    "@cornerstonejs/codec-openjph",
    "@cornerstonejs/jpeg-lossless-decoder-js",
    "dcmjs-codecs",
    "protobufjs",
    "@prisma/client",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "@prisma/driver-adapter-utils",
    "@prisma/schema-engine-wasm",
    "pg",
    "pg-boss",
    "dcmjs",
  ],
  // forbidden() answers 403 with app/forbidden.tsx when a role does not allow a page.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
