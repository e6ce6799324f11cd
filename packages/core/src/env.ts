import path from "node:path";
import { z } from "zod";

/** A comma-separated list of `item`s (blanks around commas and empty entries ignored). */
const commaList = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((list) =>
      list
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

/** Every environment variable CXR Lab reads, validated in one place. */
const envSchema = z.object({
  /** Folder holding `data/` and `weights/` (default: `../shared` beside the checkout). */
  CXRLAB_SHARED: z.string().min(1).optional(),
  /** Cache for downloaded weights (default: ~/.cache/cxrlab). */
  CXRLAB_CACHE: z.string().min(1).optional(),
  /** Content-addressed folder of ingested images (default: ~/.local/share/cxrlab/images). */
  CXRLAB_IMAGE_STORE: z.string().min(1).optional(),
  /** Where dataset versions are laid out as folders for training (default: ~/.local/share/cxrlab/datasets). */
  CXRLAB_DATASET_STORE: z.string().min(1).optional(),
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
  /**
   * What runs the training steps on cached features (default: `CXRLAB_ENGINE`, else onnx when
   * onnxruntime-node loads); `tfjs` with the prefix still on onnxruntime compares the two trainers
   * on the same features.
   */
  CXRLAB_TRAIN_ENGINE: z.enum(["onnx", "tfjs"]).optional(),
  /** Threads of the wasm backend, at most the cores there are (default 2; 1 runs the single-threaded build). */
  CXRLAB_WASM_THREADS: z.coerce.number().int().min(1).max(8).optional(),
  /** Signs dashboard sessions; every server of one store must share it (default: a per-user file, made once). */
  CXRLAB_AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /**
   * The dashboard's address as browsers see it (e.g. https://cxrlab.hospital.org), or several,
   * comma-separated (the first is the one printed and used in links): exactly these origins are
   * trusted for sign-in and forms. Unset: only the loopback addresses of the port served.
   */
  CXRLAB_PUBLIC_URL: commaList(
    z.url({ protocol: /^https?$/, error: "must be http(s) URLs, comma-separated" }),
  ).optional(),
  /**
   * Reverse proxies in front of the dashboard (addresses or CIDR ranges, comma-separated): only
   * from these is a request's X-Forwarded-For believed (sign-in rate limit, audit log). Unset: the
   * client address is the connection's own, whatever headers say.
   */
  CXRLAB_TRUSTED_PROXIES: commaList(
    z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
      error: "must be IP addresses or CIDR ranges, comma-separated",
    }),
  ).optional(),
  /**
   * The folders (absolute, comma-separated) that runs queued from the dashboard or its API may
   * train and test on; a path is checked by its real location (symlinks followed), when queued and
   * again when a worker starts the job. Unset: no folder is allowed from there. `cxrlab train` and
   * `cxrlab queue add` (direct store access) are not restricted.
   */
  CXRLAB_DATA_ROOTS: commaList(
    z.string().refine(path.isAbsolute, "must be absolute folders (from /), comma-separated"),
  ).optional(),
  /** Largest file the dashboard accepts in an upload, in bytes (default 64 MiB; see limits.ts). */
  CXRLAB_UPLOAD_MAX_BYTES: z.coerce.number().int().positive().optional(),
  /** Largest upload request (all its files), in bytes (default 256 MiB). */
  CXRLAB_UPLOAD_MAX_REQUEST_BYTES: z.coerce.number().int().positive().optional(),
  /** Uploads the dashboard takes in at once (default 2); one more answers 503 with Retry-After. */
  CXRLAB_UPLOAD_CONCURRENCY: z.coerce.number().int().positive().optional(),
  /** Most pixels (width × height) an ingested or uploaded image may declare (default 50 million). */
  CXRLAB_MAX_IMAGE_PIXELS: z.coerce.number().int().positive().optional(),
  /** Base folder of per-user settings (XDG); the CLI keeps its server credentials under it (default: ~/.config). */
  XDG_CONFIG_HOME: z.string().min(1).optional(),
  /** Print stack traces with CLI errors. */
  CXRLAB_DEBUG: z
    .string()
    .optional()
    .transform((v) => v !== undefined && v !== "" && v !== "0"),
});

export type Env = z.infer<typeof envSchema>;

/** Read at call time, so tests and child processes can set variables before use. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid environment: ${issues}`);
  }
  return parsed.data;
}
