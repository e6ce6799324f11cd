import { selectBackend } from "@cxrlab/core/backend";
import { createGradCamService, type GradCamService } from "@cxrlab/core/gradcam";
import { loadModelForInference } from "@cxrlab/core/inference";

/** Loaded DenseNets are large (~50 MB of weights each); keep the few most recently used. */
const MAX_MODELS = 2;

interface Entry {
  service: Promise<GradCamService>;
  dispose(): void;
  users: number;
  evicted: boolean;
}

// Keyed by model folder + content fingerprint (a retrained model is a new entry); Map order = recency.
const entries = new Map<string, Entry>();

function load(modelDir: string, cacheDir: string | undefined): Entry {
  const loading = selectBackend().then(() => loadModelForInference(modelDir));
  const service = loading.then((loaded) => createGradCamService(loaded, cacheDir ? { cacheDir } : {}));
  return {
    service,
    dispose: () =>
      void Promise.all([loading, service]).then(
        async ([loaded, ready]) => {
          await ready.dispose();
          loaded.model.dispose();
        },
        () => {},
      ),
    users: 0,
    evicted: false,
  };
}

function evict(key: string, entry: Entry): void {
  entries.delete(key);
  entry.evicted = true;
  if (entry.users === 0) entry.dispose();
}

/**
 * Runs `fn` with a Grad-CAM service for the model in `modelDir`, loading the model once and keeping
 * it for later requests; the least recently used model is disposed once no request is using it.
 */
export async function withGradCamService<T>(
  modelDir: string,
  fingerprint: string,
  fn: (service: GradCamService) => Promise<T>,
  cacheDir?: string,
): Promise<T> {
  const key = `${modelDir}\0${fingerprint}\0${cacheDir ?? ""}`;
  const entry = entries.get(key) ?? load(modelDir, cacheDir);
  entries.delete(key);
  entries.set(key, entry);
  entry.users += 1;
  for (const [oldKey, old] of entries) if (entries.size > MAX_MODELS) evict(oldKey, old);
  try {
    const service = await entry.service.catch((err: unknown) => {
      // A model that failed to load is not kept: the next request tries again.
      if (entries.get(key) === entry) evict(key, entry);
      throw err;
    });
    return await fn(service);
  } finally {
    entry.users -= 1;
    if (entry.evicted && entry.users === 0) entry.dispose();
  }
}
