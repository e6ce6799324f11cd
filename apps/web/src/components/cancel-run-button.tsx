"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "../trpc/client.tsx";

/**
 * Cancels a queued or running run: a queued one at once, a running one after its current batch
 * (its worker marks it cancelled). `onCancelled` refreshes what shows the run's status.
 */
export function CancelRunButton({ runId, onCancelled }: { runId: number; onCancelled?: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({ onSuccess: () => (onCancelled ? onCancelled() : router.refresh()) }),
  );
  const stopping = cancel.data?.outcome === "stopping";
  return (
    <span className="cancel-run">
      <button
        type="button"
        disabled={cancel.isPending || stopping}
        aria-label={`Cancel run ${runId}`}
        data-testid="cancel-run"
        onClick={() => cancel.mutate({ id: runId })}
      >
        {stopping ? "Stopping…" : "Cancel"}
      </button>
      {stopping && (
        <span className="muted" data-testid="cancel-stopping">
          stops after the current batch
        </span>
      )}
      {cancel.error && (
        <span className="field-error" role="alert" data-testid="cancel-error">
          {cancel.error.message}
        </span>
      )}
    </span>
  );
}
