"use client";

import { useCallback, useState } from "react";

export type LoadState = "loading" | "loaded" | "error";

/**
 * Whether an <img> has loaded, for images that take a while (Grad-CAM heatmaps are computed on
 * first request). Spread `watch` on the element; `restart` when its source changes.
 */
export function useImageLoad() {
  const [state, setState] = useState<LoadState>("loading");
  // An image the browser had cached may finish (or fail) loading before React hydrates and attaches
  // onLoad/onError; read its state when the element mounts.
  const ref = useCallback((img: HTMLImageElement | null) => {
    if (img?.complete) setState(img.naturalWidth > 0 ? "loaded" : "error");
  }, []);
  return {
    state,
    restart: () => setState("loading"),
    watch: { ref, onLoad: () => setState("loaded"), onError: () => setState("error") },
  };
}
