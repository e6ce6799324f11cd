import os from "node:os";

export interface Measurement {
  /** Median wall time per image over the measured runs. */
  msPerImage: number;
  /** Process CPU ms per image (every thread): steadier than wall time when the machine is shared. */
  cpuMsPerImage: number;
  /** Process CPU time over wall time and cores while measuring: 1 = every core busy. */
  cpu: number;
}

/** Runs `fn` (`images` images a run) `reps` times after `warmup` unmeasured runs. */
export async function measure(
  images: number,
  fn: () => unknown,
  { warmup = 1, reps = 3 } = {},
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const used = process.cpuUsage(cpuStart);
  const cpuMs = (used.user + used.system) / 1000;
  const wall = performance.now() - wallStart;
  times.sort((a, b) => a - b);
  return {
    msPerImage: times[Math.floor(times.length / 2)]! / images,
    cpuMsPerImage: cpuMs / (reps * images),
    cpu: cpuMs / wall / os.availableParallelism(),
  };
}
