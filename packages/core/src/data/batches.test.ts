import { writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { sharedPaths } from "../paths.ts";
import { type Batch, streamBatches } from "./batches.ts";
import { decodeImage, ImageDecodeError } from "./decode.ts";
import { type ImageRecord, listImageDirectory } from "./directory.ts";
import { makeTempDir } from "./test-helpers.ts";

async function collect<T>(stream: AsyncIterable<Batch<T>>): Promise<Batch<T>[]> {
  const batches: Batch<T>[] = [];
  for await (const batch of stream) batches.push(batch);
  return batches;
}

/** Synthetic records whose "image" is 2 values, both equal to the record's index. */
const records = Array.from({ length: 10 }, (_, i) => ({ path: `/img/${i}.png`, label: i % 3 }));
const fakeLoad = async (r: { path: string }) => {
  const i = Number(path.basename(r.path, ".png"));
  await sleep((i * 7) % 5); // finish out of order
  return Float32Array.from([i, i]);
};

describe("streamBatches on cxr-sample", () => {
  it("decodes every image exactly once into shuffled batches with matching labels", async () => {
    const { records: all } = await listImageDirectory(sharedPaths.sample());
    const size = 32;
    const stream = streamBatches(all, {
      batchSize: 32,
      shuffle: true,
      seed: 5,
      load: (r) => decodeImage(r.path, { imageSize: size, resize: "nearest" }),
    });
    const batches = await collect(stream);
    expect(batches.map((b) => b.size)).toEqual([32, 32, 32, 24]);
    const seen = batches.flatMap((b) => b.records.map((r) => r.path));
    expect(new Set(seen).size).toBe(120);
    expect([...seen].sort()).toEqual(all.map((r) => r.path).sort());
    expect(seen).not.toEqual(all.map((r) => r.path)); // shuffled
    for (const batch of batches) {
      expect(batch.x).toHaveLength(batch.size * size * size * 3);
      expect([...batch.labels]).toEqual(batch.records.map((r) => r.label));
    }
    // The last image of the last batch sits at the end of x.
    const last = batches[3] as Batch<ImageRecord>;
    const lastImage = await decodeImage(last.records[23]?.path as string, {
      imageSize: size,
      resize: "nearest",
    });
    expect(last.x.subarray(23 * size * size * 3)).toEqual(lastImage);
    expect(stream.skipped).toEqual([]);

    const dropped = await collect(
      streamBatches(all, { batchSize: 32, dropRemainder: true, load: async () => new Float32Array(3) }),
    );
    expect(dropped.map((b) => b.size)).toEqual([32, 32, 32]);
  });
});

describe("streamBatches", () => {
  it("keeps record order whatever the load timing, and shuffles reproducibly by seed", async () => {
    const ordered = await collect(streamBatches(records, { batchSize: 4, load: fakeLoad, concurrency: 3 }));
    expect(ordered.flatMap((b) => [...b.x])).toEqual(records.flatMap((_, i) => [i, i]));
    expect(ordered.map((b) => b.size)).toEqual([4, 4, 2]);

    const run = (seed: number) =>
      collect(streamBatches(records, { batchSize: 3, shuffle: true, seed, load: fakeLoad })).then((bs) =>
        bs.flatMap((b) => b.records.map((r) => r.path)),
      );
    const first = await run(1);
    expect(await run(1)).toEqual(first);
    expect(await run(2)).not.toEqual(first);
    expect([...first].sort()).toEqual(records.map((r) => r.path).sort());
  });

  it("loads at most `concurrency` records at once and stays that far ahead of the consumer", async () => {
    let active = 0;
    let maxActive = 0;
    let started = 0;
    const load = async (r: { path: string }) => {
      started++;
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(2);
      active--;
      return fakeLoad(r);
    };
    let consumed = 0;
    for await (const batch of streamBatches(records, { batchSize: 2, load, concurrency: 3 })) {
      consumed += batch.size;
      await sleep(5); // a slow consumer (the training step)
      expect(started).toBeLessThanOrEqual(consumed + 3);
    }
    expect(maxActive).toBe(3);
  });

  it("throws the ImageDecodeError of a bad file, or skips and lists it with skipBad", async () => {
    const tmp = await makeTempDir();
    try {
      const bad = path.join(tmp.dir, "bad.png");
      await writeFile(bad, "not a png");
      const mixed = [...records.slice(0, 5), { path: bad, label: 0 }, ...records.slice(5)];
      const load = (r: { path: string }) =>
        r.path === bad ? decodeImage(bad, { imageSize: 2, resize: "nearest" }) : fakeLoad(r);

      const failing = collect(streamBatches(mixed, { batchSize: 4, load }));
      await expect(failing).rejects.toBeInstanceOf(ImageDecodeError);
      await expect(collect(streamBatches(mixed, { batchSize: 4, load }))).rejects.toThrow(bad);

      const stream = streamBatches(mixed, { batchSize: 4, load, skipBad: true });
      const batches = await collect(stream);
      expect(batches.map((b) => b.size)).toEqual([4, 4, 2]); // the gap is filled from later records
      expect(batches.flatMap((b) => b.records.map((r) => r.path))).not.toContain(bad);
      expect(stream.skipped).toHaveLength(1);
      expect(stream.skipped[0]?.path).toBe(bad);
      expect(stream.skipped[0]?.reason).toMatch(/unsupported image format/);
    } finally {
      await tmp.cleanup();
    }
  });

  it("names the record when load fails for another reason or returns a different size", async () => {
    const broken = (r: { path: string }) =>
      r.path === "/img/3.png" ? Promise.reject(new TypeError("boom")) : fakeLoad(r);
    await expect(
      collect(streamBatches(records, { batchSize: 2, load: broken, skipBad: true })),
    ).rejects.toThrow("Loading /img/3.png failed: boom");
    const uneven = async (r: { path: string }) =>
      r.path === "/img/4.png" ? new Float32Array(3) : fakeLoad(r);
    await expect(collect(streamBatches(records, { batchSize: 2, load: uneven }))).rejects.toThrow(
      "Loading /img/4.png gave 3 values, but earlier images gave 2",
    );
  });

  it("yields a fresh x per batch, so a consumer may keep it", async () => {
    const batches = await collect(streamBatches(records, { batchSize: 5, load: fakeLoad }));
    expect(batches[0]?.x.buffer).not.toBe(batches[1]?.x.buffer);
    expect([...(batches[0]?.x ?? [])]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it("rejects a batch size or concurrency that is not a positive integer", () => {
    expect(() => streamBatches(records, { batchSize: 0, load: fakeLoad })).toThrow(RangeError);
    expect(() => streamBatches(records, { batchSize: 2, concurrency: 1.5, load: fakeLoad })).toThrow(
      RangeError,
    );
  });
});
