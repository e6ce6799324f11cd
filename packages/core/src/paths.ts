import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readEnv } from "./env.ts";

/** The repository root (three levels above this file). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// Every folder below is chosen at run time (environment, home folder): runtime data, not part of
// the dashboard's build, so each is marked for the bundler's file tracing not to follow.

/** Data and weights shared beside the checkout (`../shared`), or `$CXRLAB_SHARED`. */
export function sharedDir(): string {
  return path.resolve(
    /* turbopackIgnore: true */ readEnv().CXRLAB_SHARED ?? path.join(REPO_ROOT, "..", "shared"),
  );
}

/** Caches CXR Lab may rebuild at will (downloaded weights, exported ONNX models): `$CXRLAB_CACHE` or ~/.cache/cxrlab. */
export function cacheDir(): string {
  return path.resolve(
    /* turbopackIgnore: true */ readEnv().CXRLAB_CACHE ?? path.join(os.homedir(), ".cache", "cxrlab"),
  );
}

/** Where CXR Lab keeps its data by default: ~/.local/share/cxrlab. */
export function dataDir(): string {
  return path.join(os.homedir(), ".local", "share", "cxrlab");
}

/** The content-addressed image store: `$CXRLAB_IMAGE_STORE` or ~/.local/share/cxrlab/images. */
export function imageStoreDir(): string {
  return path.resolve(
    /* turbopackIgnore: true */ readEnv().CXRLAB_IMAGE_STORE ?? path.join(dataDir(), "images"),
  );
}

/** Dataset versions laid out for training: `$CXRLAB_DATASET_STORE` or ~/.local/share/cxrlab/datasets. */
export function datasetStoreDir(): string {
  return path.resolve(
    /* turbopackIgnore: true */ readEnv().CXRLAB_DATASET_STORE ?? path.join(dataDir(), "datasets"),
  );
}

export const sharedPaths = {
  sample: () => path.join(sharedDir(), "data", "cxr-sample"),
  devTrain: () => path.join(sharedDir(), "data", "cxr-dev", "Train"),
  devTest: () => path.join(sharedDir(), "data", "cxr-dev", "Test"),
  imagenetWeights: () => path.join(sharedDir(), "weights", "keras-densenet169-tfjs"),
};
