import { z } from "zod";

/** Every environment variable CXR Lab reads, validated in one place. */
const envSchema = z.object({
  /** Folder holding `data/` and `weights/` (default: `../shared` beside the checkout). */
  CXRLAB_SHARED: z.string().min(1).optional(),
  /** Cache for downloaded weights (default: ~/.cache/cxrlab). */
  CXRLAB_CACHE: z.string().min(1).optional(),
  /** Content-addressed folder of ingested images (default: ~/.local/share/cxrlab/images). */
  CXRLAB_IMAGE_STORE: z.string().min(1).optional(),
  /** Experiment store: `file:/path/x.db` (SQLite) or `postgresql://…` (default: a per-user SQLite file). */
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: or postgresql://")
    .optional(),
  /** PostgreSQL server for the store's tests (a superuser URL; each test file creates its own database). */
  CXRLAB_TEST_POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgresql://")
    .optional(),
  /** What runs fixed-weight forward passes (prefix cache, predict, evaluate): onnx (default when onnxruntime-node loads) or tfjs. */
  CXRLAB_ENGINE: z.enum(["onnx", "tfjs"]).optional(),
  /** Threads of the wasm backend, at most the cores there are (default 2; 1 runs the single-threaded build). */
  CXRLAB_WASM_THREADS: z.coerce.number().int().min(1).max(8).optional(),
  /** Print stack traces with CLI errors. */
  CXRLAB_DEBUG: z
    .string()
    .optional()
    .transform((v) => v !== undefined && v !== "" && v !== "0"),
});

export type Env = z.infer<typeof envSchema>;

/** Read at call time, so tests and child processes can set variables before use. */
export function readEnv(): Env {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid environment: ${issues}`);
  }
  return parsed.data;
}
