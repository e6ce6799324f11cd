import path from "node:path";
import { describe, expect, it } from "vitest";
import { sharedPaths } from "../paths.ts";
import { listImageDirectory } from "./directory.ts";
import { groupedStratifiedSplit, kerasValidationSplit, type Split, stratifiedSplit } from "./split.ts";

interface Item {
  label: number;
  id: string;
}

/** Items of consecutive classes with the given sizes, ids "label:index". */
function items(sizes: number[]): Item[] {
  return sizes.flatMap((n, label) => Array.from({ length: n }, (_, i) => ({ label, id: `${label}:${i}` })));
}

function expectPartition(all: Item[], split: Split<Item>): void {
  const ids = [...split.train, ...split.validation].map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual(all.map((r) => r.id).sort());
}

const countBy = (records: Item[], label: number) => records.filter((r) => r.label === label).length;

describe("kerasValidationSplit", () => {
  it("holds out the first int(0.08 * 40) = 3 images of each cxr-sample class", async () => {
    const { records } = await listImageDirectory(sharedPaths.sample());
    const { train, validation } = kerasValidationSplit(records, 0.08);
    expect(train).toHaveLength(111);
    expect(validation.map((r) => `${r.className}/${path.basename(r.path)}`)).toEqual([
      "COVID/lundis_COVID-1.png",
      "COVID/lundis_COVID-1168.png",
      "COVID/lundis_COVID-1239.png",
      "Normal/lundis_Normal-1045.png",
      "Normal/lundis_Normal-1238.png",
      "Normal/lundis_Normal-1328.png",
      "Viral Pneumonia/lundis_Viral Pneumonia-1.png",
      "Viral Pneumonia/lundis_Viral Pneumonia-1011.png",
      "Viral Pneumonia/lundis_Viral Pneumonia-1018.png",
    ]);
    expect(train[0]?.path.endsWith("lundis_COVID-1286.png")).toBe(true);
  });

  it("reproduces the notebook's 'Found 3290' / 'Found 284' from 1096 / 1237 / 1241 training files", () => {
    const all = items([1096, 1237, 1241]);
    const split = kerasValidationSplit(all, 0.08);
    expect(split.train).toHaveLength(3290);
    expect(split.validation).toHaveLength(284);
    expect([0, 1, 2].map((l) => countBy(split.validation, l))).toEqual([87, 98, 99]);
    expectPartition(all, split);
  });

  it("truncates the floating-point product as Python's int() does", () => {
    // 0.29 * 100 = 28.999999999999996 in IEEE doubles, so Keras holds out 28, not 29.
    expect(kerasValidationSplit(items([100]), 0.29).validation).toHaveLength(28);
    expect(kerasValidationSplit(items([100]), 0.07).validation).toHaveLength(7);
  });

  it("groups by class in label order even when the input is interleaved", () => {
    const all: Item[] = [
      { label: 1, id: "b0" },
      { label: 0, id: "a0" },
      { label: 1, id: "b1" },
      { label: 0, id: "a1" },
    ];
    const split = kerasValidationSplit(all, 0.5);
    expect(split.validation.map((r) => r.id)).toEqual(["a0", "b0"]);
    expect(split.train.map((r) => r.id)).toEqual(["a1", "b1"]);
  });

  it("keeps everything for training at 0 and rejects fractions outside [0, 1)", () => {
    expect(kerasValidationSplit(items([5, 5]), 0)).toMatchObject({ validation: [], train: { length: 10 } });
    expect(() => kerasValidationSplit(items([5]), 1)).toThrow(RangeError);
    expect(() => kerasValidationSplit(items([5]), -0.1)).toThrow(RangeError);
    expect(() => kerasValidationSplit(items([5]), Number.NaN)).toThrow(RangeError);
  });
});

describe("stratifiedSplit", () => {
  it("holds out round(f * n) per class, seeded, never losing or duplicating a record", () => {
    const all = items([40, 41, 7]);
    const split = stratifiedSplit(all, 0.25, 7);
    // round(10) = 10, round(10.25) = 10, round(1.75) = 2
    expect([0, 1, 2].map((l) => countBy(split.validation, l))).toEqual([10, 10, 2]);
    expectPartition(all, split);
    expect(stratifiedSplit(all, 0.25, 7)).toEqual(split);
    expect(stratifiedSplit(all, 0.25, 8).validation).not.toEqual(split.validation);
    // Not simply the first files, and both sides keep the input order.
    expect(split.validation.slice(0, 10).map((r) => r.id)).not.toEqual(all.slice(0, 10).map((r) => r.id));
    const position = new Map(all.map((r, i) => [r.id, i]));
    for (const side of [split.train, split.validation]) {
      const order = side.map((r) => position.get(r.id) as number);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it("keeps at least one image of a class on each side when it can", () => {
    const all = items([2, 3, 1]);
    const small = stratifiedSplit(all, 0.05, 1); // round(0.1), round(0.15) would be 0
    expect([0, 1, 2].map((l) => countBy(small.validation, l))).toEqual([1, 1, 0]);
    const large = stratifiedSplit(all, 0.9, 1); // round(1.8), round(2.7) would leave no training image
    expect([0, 1, 2].map((l) => countBy(large.train, l))).toEqual([1, 1, 1]);
    expectPartition(all, large);
    expect(stratifiedSplit(all, 0, 1).validation).toEqual([]);
  });
});

describe("groupedStratifiedSplit", () => {
  interface Shot extends Item {
    patient: string;
  }
  // 30 patients: patient k has 1 + (k % 3) images, all of class k % 3 except patient 0's last.
  const shots: Shot[] = Array.from({ length: 30 }, (_, k) =>
    Array.from({ length: 1 + (k % 3) }, (_, i) => ({
      id: `p${k}:${i}`,
      patient: `p${k}`,
      label: k === 0 && i === 0 ? 1 : k % 3,
    })),
  ).flat();
  const patientOf = (s: Shot) => s.patient;

  it("puts no patient on both sides, stays near the fraction per class and keeps input order", () => {
    const split = groupedStratifiedSplit(shots, 0.2, 5, patientOf);
    expectPartition(shots, split);
    const trainPatients = new Set(split.train.map(patientOf));
    expect(split.validation.filter((s) => trainPatients.has(s.patient))).toEqual([]);
    // Per class: 10 patients of 1, 2 or 3 images -> 10, 20, 30 images; round(0.2 n) = 2, 4, 6 images.
    for (const label of [0, 1, 2]) {
      expect(countBy(split.validation, label)).toBeGreaterThan(0);
      expect(countBy(split.validation, label)).toBeLessThanOrEqual([2, 4, 6][label]! + 1);
    }
    const order = (list: Shot[]) => list.map((s) => shots.indexOf(s));
    expect(order(split.train)).toEqual([...order(split.train)].sort((a, b) => a - b));
    expect(order(split.validation)).toEqual([...order(split.validation)].sort((a, b) => a - b));
  });

  it("is the same for the same seed and differs for another", () => {
    const ids = (seed: number) =>
      groupedStratifiedSplit(shots, 0.2, seed, patientOf).validation.map((s) => s.id);
    expect(ids(5)).toEqual(ids(5));
    expect(ids(6)).not.toEqual(ids(5));
  });

  it("holds out one patient of a class even when that patient has more images than the fraction asks", () => {
    const two: Shot[] = [
      { id: "a0", patient: "a", label: 0 },
      { id: "a1", patient: "a", label: 0 },
      { id: "b0", patient: "b", label: 0 },
      { id: "b1", patient: "b", label: 0 },
    ];
    const split = groupedStratifiedSplit(two, 0.1, 1, patientOf);
    expect(new Set(split.validation.map(patientOf)).size).toBe(1);
    expect(new Set(split.train.map(patientOf)).size).toBe(1);
    // A lone patient stays in training.
    expect(groupedStratifiedSplit(two.slice(0, 2), 0.5, 1, patientOf).validation).toEqual([]);
  });
});
