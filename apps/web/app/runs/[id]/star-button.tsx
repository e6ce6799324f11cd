"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "../../../src/trpc/client.tsx";

/** The viewer's star on a run, and how many people starred it; toggled through the API. */
export function StarButton({
  runId,
  starred,
  stars,
  canStar,
}: {
  runId: number;
  starred: boolean;
  stars: number;
  canStar: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  // The page is server-rendered: after a write, render it again from the store.
  const refresh = { onSuccess: () => router.refresh() };
  const star = useMutation(trpc.runs.star.mutationOptions(refresh));
  const unstar = useMutation(trpc.runs.unstar.mutationOptions(refresh));
  const error = star.error ?? unstar.error;
  return (
    <span className="star-toggle">
      <button
        type="button"
        aria-pressed={starred}
        aria-label={starred ? "Remove your star" : "Star this run"}
        title={canStar ? undefined : "Your role in this project does not allow starring"}
        disabled={!canStar || star.isPending || unstar.isPending}
        data-testid="star-toggle"
        data-starred={starred}
        onClick={() => (starred ? unstar : star).mutate({ id: runId })}
      >
        <span aria-hidden="true">{starred ? "★" : "☆"}</span> {starred ? "Starred" : "Star"}
        <span className="star-count" data-testid="star-count">
          {stars}
        </span>
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error.message}
        </span>
      )}
    </span>
  );
}
