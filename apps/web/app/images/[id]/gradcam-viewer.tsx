"use client";

import { useState } from "react";
import { useImageLoad } from "../../../src/components/image-load.ts";

/**
 * The image with the run's Grad-CAM heatmap (a transparent PNG at the image's size) layered exactly
 * on top: a toggle shows or hides it, a slider sets its opacity, a selector picks the class it
 * explains. The heatmap is computed on the server the first time, so it can take a few seconds.
 */
export function GradCamViewer({
  imageId,
  runId,
  classNames,
  width,
  height,
  alt,
}: {
  imageId: number;
  runId: number | null;
  classNames: string[];
  width: number;
  height: number;
  alt: string;
}) {
  const [visible, setVisible] = useState(true);
  const [opacity, setOpacity] = useState(0.5);
  const [target, setTarget] = useState("predicted");
  const { state, restart, watch } = useImageLoad();
  const src = runId === null ? null : `/api/gradcam/${runId}/${imageId}?class=${encodeURIComponent(target)}`;
  return (
    <div>
      <div className="image-stage" data-testid="image-stage">
        {/* biome-ignore lint/performance/noImgElement: the original file, served by our own route */}
        <img
          src={`/api/images/${imageId}`}
          alt={alt}
          width={width}
          height={height}
          data-testid="image-large"
        />
        {src && (
          // biome-ignore lint/performance/noImgElement: a heatmap PNG laid over the image, from our own route
          <img
            key={src}
            {...watch}
            src={src}
            alt=""
            className="overlay"
            hidden={!visible}
            style={{ opacity }}
            data-testid="gradcam-overlay"
          />
        )}
      </div>
      {src ? (
        <div className="overlay-controls">
          <label>
            <input
              type="checkbox"
              checked={visible}
              onChange={(e) => setVisible(e.target.checked)}
              data-testid="gradcam-toggle"
            />
            Grad-CAM
          </label>
          <label>
            Opacity
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={opacity}
              onChange={(e) => setOpacity(Number(e.target.value))}
              disabled={!visible}
              data-testid="gradcam-opacity"
            />
            <span className="num" style={{ minWidth: "2.5rem" }}>
              {Math.round(opacity * 100)}%
            </span>
          </label>
          <label>
            Explain
            <select
              value={target}
              onChange={(e) => {
                restart();
                setTarget(e.target.value);
              }}
              data-testid="gradcam-class"
            >
              <option value="predicted">predicted class</option>
              {classNames.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <span className="muted" data-testid="gradcam-status" data-state={state} aria-live="polite">
            {state === "loading"
              ? "computing heatmap…"
              : state === "error"
                ? "heatmap unavailable"
                : "heatmap shown"}
          </span>
        </div>
      ) : (
        <p className="muted">No run has predicted this image, so there is no model to explain it with.</p>
      )}
    </div>
  );
}
