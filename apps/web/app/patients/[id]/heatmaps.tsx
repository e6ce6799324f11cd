"use client";

import Link from "next/link";
import { createContext, type ReactNode, useContext, useState } from "react";
import { useImageLoad } from "../../../src/components/image-load.ts";

const HeatmapsShown = createContext(false);

/**
 * The switch for the timeline's Grad-CAM heatmaps and the part of the page it governs. Off at
 * first: each heatmap is computed on the server the first time it is asked for, so a long history
 * would otherwise start many model runs on every visit.
 */
export function HeatmapSwitch({ label, children }: { label: string; children: ReactNode }) {
  const [shown, setShown] = useState(false);
  return (
    <>
      <label className="toggle">
        <input
          type="checkbox"
          checked={shown}
          onChange={(e) => setShown(e.target.checked)}
          data-testid="heatmap-toggle"
        />
        {label}
      </label>
      <HeatmapsShown.Provider value={shown}>{children}</HeatmapsShown.Provider>
    </>
  );
}

/**
 * An image's thumbnail linking to its page, with the run's Grad-CAM heatmap laid over it while the
 * switch is on.
 */
export function HeatmapThumbnail({
  imageId,
  runId,
  width,
  height,
  alt,
}: {
  imageId: number;
  runId: number | null;
  width: number;
  height: number;
  alt: string;
}) {
  const shown = useContext(HeatmapsShown);
  const { state, watch } = useImageLoad();
  const heatmap = shown && runId !== null ? `/api/gradcam/${runId}/${imageId}?class=predicted` : null;
  return (
    <Link
      href={runId === null ? `/images/${imageId}` : `/images/${imageId}?run=${runId}`}
      className="patient-thumb"
      // The box takes the image's shape, so thumbnail and heatmap (both that shape) cover it exactly.
      style={{ aspectRatio: `${width} / ${height}` }}
      data-testid="patient-thumbnail"
    >
      {/* biome-ignore lint/performance/noImgElement: thumbnails come from our own cached route */}
      <img
        src={`/api/images/${imageId}/thumbnail?size=160`}
        alt={alt}
        width={160}
        height={160}
        loading="lazy"
      />
      {heatmap && (
        // biome-ignore lint/performance/noImgElement: a heatmap PNG from our own route, laid over the thumbnail
        <img
          key={heatmap}
          {...watch}
          src={heatmap}
          alt=""
          className="overlay"
          data-testid="patient-heatmap"
          data-state={state}
          data-run-id={runId}
        />
      )}
    </Link>
  );
}
