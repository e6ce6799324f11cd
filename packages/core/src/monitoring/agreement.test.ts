import { describe, expect, it } from "vitest";
import { type AgreementCase, agreementWithReaders, readersConsensus } from "./agreement.ts";

const CLASSES = ["COVID", "Normal", "Viral Pneumonia"];
const reader = (label: string, i = 0) => ({ reader: `r${i}@x`, label });

describe("readersConsensus", () => {
  it("takes the majority of the class votes, leaving uncertain out", () => {
    expect(readersConsensus([reader("COVID", 1), reader("COVID", 2), reader("Normal", 3)])).toEqual({
      status: "agreed",
      label: "COVID",
      readers: 3,
      unanimous: false,
    });
    expect(readersConsensus([reader("Normal", 1), reader("uncertain", 2)])).toEqual({
      status: "agreed",
      label: "Normal",
      readers: 1,
      unanimous: true,
    });
  });

  it("gives no label for a tie or only uncertain answers", () => {
    expect(readersConsensus([reader("Normal", 1), reader("COVID", 2)])).toEqual({
      status: "tie",
      labels: ["COVID", "Normal"],
    });
    expect(readersConsensus([reader("uncertain", 1), reader("uncertain", 2)])).toEqual({
      status: "uncertain",
    });
    expect(readersConsensus([])).toEqual({ status: "uncertain" });
  });
});

describe("agreementWithReaders", () => {
  // 10 images: 4 COVID (3 predicted right), 4 Normal (all right), 2 Viral (1 right): 8/10.
  const cases: AgreementCase[] = [
    ...["COVID", "COVID", "COVID", "Normal"].map((predicted) => ({ predicted, reference: "COVID" })),
    ...["Normal", "Normal", "Normal", "Normal"].map((predicted) => ({ predicted, reference: "Normal" })),
    ...["Viral Pneumonia", "COVID"].map((predicted) => ({ predicted, reference: "Viral Pneumonia" })),
  ].map((c, i) => ({ ...c, group: `p${i}` }));

  it("gives accuracy, recall and the confusion matrix with intervals around them", () => {
    const a = agreementWithReaders(cases, CLASSES, { resamples: 500, seed: 3 })!;
    expect(a.cases).toBe(10);
    expect(a.accuracy.estimate).toBeCloseTo(0.8, 12);
    expect(a.accuracy.lower!).toBeLessThan(0.8);
    expect(a.accuracy.upper!).toBeGreaterThan(0.8);
    expect(a.accuracy.lower!).toBeGreaterThanOrEqual(0.4);
    expect(a.classes.map((c) => [c.name, c.recall.estimate, c.support])).toEqual([
      ["COVID", 0.75, 4],
      ["Normal", 1, 4],
      ["Viral Pneumonia", 0.5, 2],
    ]);
    expect(a.confusion).toEqual([
      [3, 1, 0],
      [0, 4, 0],
      [1, 0, 1],
    ]);
    expect(a.grouping).toEqual({ by: "group", source: "patient", units: 10, ungrouped: 0 });
    // Seeded: the same seed gives the same interval, another seed another one.
    expect(agreementWithReaders(cases, CLASSES, { resamples: 500, seed: 3 })!.accuracy).toEqual(a.accuracy);
    expect(agreementWithReaders(cases, CLASSES, { resamples: 500, seed: 4 })!.accuracy).not.toEqual(
      a.accuracy,
    );
  });

  it("resamples a patient's images together", () => {
    // One patient holds every image: each resample is the whole set, so the interval is a point.
    const onePatient = cases.map((c) => ({ ...c, group: "p" }));
    const a = agreementWithReaders(onePatient, CLASSES, { resamples: 200 })!;
    expect([a.accuracy.lower, a.accuracy.estimate, a.accuracy.upper]).toEqual([0.8, 0.8, 0.8]);
    expect(a.grouping).toEqual({ by: "group", source: "patient", units: 1, ungrouped: 0 });
  });

  it("says why a class's recall is missing, and refuses a label the run does not know", () => {
    const a = agreementWithReaders(cases.slice(0, 4), CLASSES, { resamples: 100 })!;
    expect(a.classes[2]!.recall).toMatchObject({
      estimate: null,
      reason: 'no images the readers called "Viral Pneumonia"',
    });
    expect(agreementWithReaders([], CLASSES)).toBeNull();
    expect(() =>
      agreementWithReaders([{ predicted: "COVID", reference: "Lung_Opacity", group: null }], CLASSES),
    ).toThrow(/"Lung_Opacity" is not one of the run's classes/);
  });
});
