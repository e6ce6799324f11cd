export type Phase = "check" | "fit" | "cache" | "train" | "validate" | "test" | "predict";

export interface ProgressEvent {
  phase: Phase;
  /** Set during training phases. */
  epoch?: number;
  epochs?: number;
  done: number;
  total: number;
  /** Images per second over the phase so far. */
  rate: number;
  /** Seconds left in the phase at the current rate. */
  etaSeconds: number;
  /** Running metrics of the phase (loss, accuracy). */
  metrics?: Record<string, number>;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Counts work done in a phase and turns it into rate and ETA. */
export class PhaseMeter {
  private readonly started = performance.now();
  private done = 0;
  constructor(
    private readonly listener: ProgressListener | undefined,
    private readonly base: Omit<ProgressEvent, "done" | "rate" | "etaSeconds">,
  ) {
    this.emit();
  }
  advance(n: number, metrics?: Record<string, number>): void {
    this.done += n;
    this.emit(metrics);
  }
  get seconds(): number {
    return (performance.now() - this.started) / 1000;
  }
  private emit(metrics?: Record<string, number>): void {
    if (!this.listener) return;
    const rate = this.done / Math.max(this.seconds, 1e-6);
    const etaSeconds = rate > 0 ? (this.base.total - this.done) / rate : Number.NaN;
    this.listener({ ...this.base, done: this.done, rate, etaSeconds, ...(metrics ? { metrics } : {}) });
  }
}
