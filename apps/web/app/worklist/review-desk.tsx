"use client";

import type { RouterOutputs } from "@cxrlab/api";
import { UNCERTAIN } from "@cxrlab/validators/reviews";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { useImageLoad } from "../../src/components/image-load.ts";
import { day, percent, personName } from "../../src/format.ts";
import { useTRPC } from "../../src/trpc/client.tsx";

type Item = RouterOutputs["reviews"]["worklist"]["items"][number];

/** Keys that type into a field are the field's, not the desk's. */
const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));

/**
 * The worklist with the current image large beside it, under the run's Grad-CAM heatmap. Keys:
 * 1..9 set the run's classes in order, u "uncertain", j/k the next/previous image. A review moves
 * on to the next image; the list keeps reviewed rows (with their label) so j/k stay put.
 */
export function ReviewDesk({
  runId,
  classNames,
  items,
}: {
  runId: number;
  classNames: string[];
  items: Item[];
}) {
  const trpc = useTRPC();
  const [current, setCurrent] = useState(0);
  const [labels, setLabels] = useState<Record<number, string>>(() =>
    Object.fromEntries(items.flatMap((i) => (i.mine ? [[i.predictionId, i.mine.label]] : []))),
  );
  const submit = useMutation(
    trpc.reviews.submit.mutationOptions({
      onSuccess: (review, input) => setLabels((was) => ({ ...was, [input.predictionId]: review.label })),
    }),
  );
  const item = items[current];
  const review = useCallback(
    (label: string) => {
      if (!item) return;
      submit.mutate({ predictionId: item.predictionId, label });
      setCurrent((i) => Math.min(i + 1, items.length - 1));
    },
    [item, items.length, submit],
  );
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      const digit = Number(event.key);
      if (Number.isInteger(digit) && digit >= 1 && digit <= classNames.length) review(classNames[digit - 1]!);
      else if (event.key === "u") review(UNCERTAIN);
      else if (event.key === "j") setCurrent((i) => Math.min(i + 1, items.length - 1));
      else if (event.key === "k") setCurrent((i) => Math.max(i - 1, 0));
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [classNames, items.length, review]);

  return (
    <div className="review-desk" data-testid="review-desk">
      <ol className="worklist" data-testid="worklist">
        {items.map((i, index) => (
          <li
            key={i.predictionId}
            className={index === current ? "current" : undefined}
            data-testid="worklist-row"
            data-prediction-id={i.predictionId}
            data-image-id={i.imageId}
            data-reviewed={labels[i.predictionId] ?? ""}
          >
            <button type="button" onClick={() => setCurrent(index)} className="worklist-pick">
              {/* biome-ignore lint/performance/noImgElement: thumbnails come from our own cached route */}
              <img
                src={`/api/images/${i.imageId}/thumbnail?size=64`}
                alt=""
                width={64}
                height={64}
                loading="lazy"
              />
              <span>
                <strong data-testid="worklist-predicted">{i.predictedLabel}</strong>{" "}
                <span className="num">{percent(i.confidence, 0)}</span>
                <br />
                <span className="muted">
                  {i.patient.patientId} · {personName(i.patient.name)} · {day(i.studyDate)}
                </span>
                <br />
                <ReviewLine item={i} mine={labels[i.predictionId]} />
              </span>
            </button>
          </li>
        ))}
      </ol>
      {item && <ReviewStage key={item.predictionId} runId={runId} item={item} classNames={classNames} />}
      <div className="review-keys">
        <div className="review-buttons" data-testid="review-buttons">
          {[...classNames, UNCERTAIN].map((label, index) => (
            <button
              key={label}
              type="button"
              disabled={!item}
              onClick={() => review(label)}
              data-testid="review-button"
              className={item && labels[item.predictionId] === label ? "primary" : undefined}
            >
              <kbd>{label === UNCERTAIN ? "u" : index + 1}</kbd> {label}
            </button>
          ))}
        </div>
        <p className="muted">
          <kbd>j</kbd>/<kbd>k</kbd> next/previous image
        </p>
        {submit.error && (
          <p className="field-error" role="alert" data-testid="review-error">
            {submit.error.message}
          </p>
        )}
      </div>
    </div>
  );
}

/** My label and the other reviewers', with a mark when they disagree. */
function ReviewLine({ item, mine }: { item: Item; mine: string | undefined }) {
  const others = item.reviews.filter((r) => r.id !== item.mine?.id);
  const labels = new Set([...others.map((r) => r.label), ...(mine ? [mine] : [])]);
  return (
    <span className="muted">
      {mine ? <span data-testid="worklist-mine">you: {mine}</span> : "not reviewed by you"}
      {others.length > 0 && (
        <span data-testid="worklist-others">
          {" "}
          · {others.map((r) => `${r.reviewerEmail ?? "former account"}: ${r.label}`).join(", ")}
        </span>
      )}
      {labels.size > 1 && (
        <strong className="bad" data-testid="worklist-disagreement">
          {" "}
          · readers disagree
        </strong>
      )}
    </span>
  );
}

/** The image large with the predicted class's Grad-CAM heatmap over it, and its probabilities. */
function ReviewStage({ runId, item, classNames }: { runId: number; item: Item; classNames: string[] }) {
  const { state, watch } = useImageLoad();
  const [heatmap, setHeatmap] = useState(true);
  return (
    <section className="review-stage" data-testid="review-stage" data-prediction-id={item.predictionId}>
      <div className="image-stage">
        {/* biome-ignore lint/performance/noImgElement: the image, served by our own route */}
        <img
          src={`/api/images/${item.imageId}`}
          alt={`X-ray of ${item.patient.patientId}`}
          width={item.width}
          height={item.height}
          data-testid="review-image"
        />
        {/* biome-ignore lint/performance/noImgElement: a heatmap PNG laid over the image, from our own route */}
        <img
          {...watch}
          src={`/api/gradcam/${runId}/${item.imageId}?class=predicted`}
          alt=""
          className="overlay"
          hidden={!heatmap}
          style={{ opacity: 0.5 }}
          data-testid="review-heatmap"
          data-state={state}
        />
      </div>
      <div className="overlay-controls">
        <label>
          <input type="checkbox" checked={heatmap} onChange={(e) => setHeatmap(e.target.checked)} />
          Grad-CAM ({state === "loading" ? "computing…" : state === "error" ? "unavailable" : "shown"})
        </label>
        <Link href={`/patients/${item.patient.id}`}>patient {item.patient.patientId}</Link>
        <Link href={`/images/${item.imageId}?run=${runId}`}>image page</Link>
      </div>
      <table className="compact">
        <tbody>
          {classNames.map((c) => (
            <tr key={c}>
              <th>{c}</th>
              <td className="num">{percent(item.probabilities[c] ?? 0, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
