"use client";

import type { RouterOutputs } from "@cxrlab/api";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { accountName, dateTime } from "../../../src/format.ts";
import { useTRPC } from "../../../src/trpc/client.tsx";

type Run = RouterOutputs["runs"]["get"];

/**
 * The project's default model for predictions (this run's or another's, with since when and by
 * whom) and, for those who may, the button that makes this run's model the default.
 */
export function DefaultModel({ run, canPromote }: { run: Run; canPromote: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const promote = useMutation(trpc.runs.promote.mutationOptions({ onSuccess: () => router.refresh() }));
  const current = run.defaultModel;
  const promotable = run.status === "succeeded" && run.modelLocation !== null;
  return (
    <div className="default-model" data-testid="default-model">
      {current && run.isDefaultModel && (
        <span data-testid="default-model-since">
          <span className="status status-default">Default model</span> since {dateTime(current.createdAt)},
          promoted by {accountName(current.promotedBy)}
        </span>
      )}
      {current && !run.isDefaultModel && (
        <span className="muted" data-testid="default-model-other">
          The project's default model is{" "}
          <Link href={`/runs/${current.runId}`}>
            run #{current.runId} ({current.runName})
          </Link>
          , since {dateTime(current.createdAt)}, promoted by {accountName(current.promotedBy)}.
        </span>
      )}
      {!current && (
        <span className="muted" data-testid="default-model-none">
          This project has no default model yet.
        </span>
      )}
      {canPromote && !run.isDefaultModel && (
        <button
          type="button"
          disabled={!promotable || promote.isPending}
          title={promotable ? undefined : "Only a succeeded run with a saved model can be promoted"}
          data-testid="promote-run"
          onClick={() => promote.mutate({ id: run.id })}
        >
          Promote to default model
        </button>
      )}
      {promote.error && (
        <span className="field-error" role="alert" data-testid="promote-error">
          {promote.error.message}
        </span>
      )}
    </div>
  );
}
