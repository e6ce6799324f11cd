import { Worker } from "node:worker_threads";
import type { DeclaredFrame } from "./codestream.ts";

/** The families decode-worker.mjs decodes. */
export type WorkerFamily = "jpeg-12bit" | "jpeg-lossless" | "jpeg-ls" | "jpeg2000" | "htj2k";

/** One frame to decode: its codestream and what its header declares. */
export interface WorkerFrame {
  family: WorkerFamily;
  bytes: Uint8Array;
  /** Bytes per decoded sample (the JPEG lossless decoder writes what it is asked for). */
  bytesPerSample: 1 | 2;
  /** The codestream header's frame (the 12-bit JPEG decoder is told its size). */
  declared: DeclaredFrame;
}

/** A frame as a codec decoded it: samples of `bits` bits, 1 byte each up to 8 bits, else 2 (native order). */
export interface CodecFrame {
  width: number;
  height: number;
  components: number;
  bits: number;
  /** Components one after another rather than interleaved per pixel. */
  planar: boolean;
  data: Uint8Array;
}

export interface WorkerLimits {
  /** Wall-clock time one frame may take before the worker is stopped. */
  timeoutMs: number;
  /** V8 heap of the worker (the codecs' WebAssembly memory is bounded by the codestream header check). */
  heapMb: number;
}

/**
 * A malformed codestream may loop or exhaust a codec's memory: in a worker that is stopped after
 * `timeoutMs` (or dies of its heap limit) it costs that much, and the process goes on. 60 s is some
 * ten times what the largest radiograph takes to decode on one loaded core.
 */
export const DEFAULT_WORKER_LIMITS: WorkerLimits = { timeoutMs: 60_000, heapMb: 256 };

const WORKER_URL = new URL("./decode-worker.mjs", import.meta.url);

interface Pending {
  resolve: (frame: CodecFrame) => void;
  reject: (error: Error) => void;
}

/**
 * One worker, started on first use and kept (unref'd, so it never holds the process open) while
 * frames decode in turn; a worker that timed out or died is replaced by the next decode.
 */
class DecodeWorker {
  private worker: Worker | null = null;
  private heapMb = 0;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();

  decode(frame: WorkerFrame, limits: WorkerLimits): Promise<CodecFrame> {
    const run = () => this.run(frame, limits);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private run(frame: WorkerFrame, limits: WorkerLimits): Promise<CodecFrame> {
    const worker = this.started(limits.heapMb);
    const id = this.nextId++;
    return new Promise<CodecFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stop(new Error(`decoding took longer than ${limits.timeoutMs / 1000} s; stopped`));
      }, limits.timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        resolve: (frame) => {
          settle();
          resolve(frame);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      // A copy: the caller's bytes usually view the whole file's buffer.
      worker.postMessage({ id, ...frame, bytes: frame.bytes.slice() });
    });
  }

  private started(heapMb: number): Worker {
    if (this.worker && this.heapMb === heapMb) return this.worker;
    if (this.worker) this.stop(new Error("the decoder restarted"));
    const worker = new Worker(WORKER_URL, {
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 32 },
      // Not the parent's flags (tsx's loader, vitest's): the worker is plain JavaScript.
      execArgv: [],
    });
    worker.on("message", (m: { id: number; frame?: CodecFrame; error?: string }) => {
      const pending = this.pending.get(m.id);
      if (!pending) return;
      if (m.frame) pending.resolve(m.frame);
      else pending.reject(new Error(m.error ?? "the decoder failed"));
    });
    worker.on("error", (error: Error & { code?: string }) => {
      this.stop(
        new Error(
          error.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? `the decoder ran out of its ${heapMb} MB of memory; stopped`
            : `the decoder failed: ${error.message}`,
        ),
      );
    });
    worker.on("exit", () => {
      if (this.worker === worker) this.stop(new Error("the decoder stopped unexpectedly"));
    });
    // After the listeners: adding a "message" listener refs the worker's port again.
    worker.unref();
    this.worker = worker;
    this.heapMb = heapMb;
    return worker;
  }

  /** Ends the worker and fails whatever it was decoding. */
  private stop(reason: Error): void {
    const worker = this.worker;
    this.worker = null;
    for (const { reject } of this.pending.values()) reject(reason);
    this.pending.clear();
    void worker?.terminate();
  }
}

const shared = new DecodeWorker();

/** Decodes one frame in the shared decode worker, within `limits`. */
export function decodeInWorker(
  frame: WorkerFrame,
  limits: WorkerLimits = DEFAULT_WORKER_LIMITS,
): Promise<CodecFrame> {
  return shared.decode(frame, limits);
}
