import { type BackendInfo, type BackendName, describeBackend, selectBackend } from "@cxrlab/core/backend";

/** Selects the fastest TensorFlow.js backend present (or the forced one) and says which on stderr. */
export async function useBackend(force?: BackendName): Promise<BackendInfo> {
  const info = await selectBackend(force);
  process.stderr.write(`${describeBackend(info)}\n`);
  return info;
}
