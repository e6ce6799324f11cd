"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { MutationError } from "../../../src/components/mutation-error.tsx";
import { dicomDay } from "../../../src/format.ts";
import { useTRPC } from "../../../src/trpc/client.tsx";

/**
 * What each PACS source of the patient's project holds for the patient that the archive lacks, with
 * _Pull_ (retrieve it into the archive) and, when a model has predicted the patient, _Send results_
 * (a DICOM SR per image into its study, and when ticked a Secondary Capture of its Grad-CAM overlay).
 * Renders nothing when the project has no PACS source.
 */
export function PacsPanel({
  patientId,
  run,
}: {
  patientId: number;
  run: { id: number; name: string } | null;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const holdings = useQuery(trpc.pacs.holdings.queryOptions({ id: patientId }));
  const pull = useMutation(
    trpc.pacs.pull.mutationOptions({
      onSuccess: () => {
        void holdings.refetch();
        router.refresh();
      },
    }),
  );
  const push = useMutation(trpc.pacs.push.mutationOptions());
  const [gradCam, setGradCam] = useState(false);
  if (holdings.isPending) return <p className="muted">Asking the PACS…</p>;
  if (holdings.error) return <MutationError error={holdings.error} testId="pacs-error" />;
  if (!holdings.data.length) return null;
  return (
    <section className="card" data-testid="pacs">
      <h2>PACS</h2>
      {run && (
        <label>
          <input
            type="checkbox"
            checked={gradCam}
            data-testid="pacs-push-gradcam"
            onChange={(e) => setGradCam(e.target.checked)}
          />{" "}
          Send the Grad-CAM overlays too (Secondary Capture, not for diagnosis)
        </label>
      )}
      {holdings.data.map((answer) => {
        const lacking = answer.studies?.filter((s) => s.missing > 0) ?? [];
        return (
          <div key={answer.source} data-testid="pacs-source" data-source={answer.source}>
            <h3>{answer.source}</h3>
            {answer.error ? (
              <p className="field-error" role="alert">
                {answer.error}
              </p>
            ) : lacking.length === 0 ? (
              <p className="muted" data-testid="pacs-in-sync">
                The archive holds every chest X-ray this PACS has for the patient.
              </p>
            ) : (
              <>
                <ul data-testid="pacs-missing">
                  {lacking.map((s) => (
                    <li key={s.studyInstanceUid} data-testid="pacs-missing-study">
                      {dicomDay(s.studyDate)} · study {s.studyInstanceUid} · {s.missing} of {s.instances}{" "}
                      image
                      {s.instances === 1 ? "" : "s"} not in the archive
                    </li>
                  ))}
                </ul>
                <button
                  type="button"
                  disabled={pull.isPending}
                  data-testid="pacs-pull"
                  onClick={() => pull.mutate({ id: patientId, source: answer.source })}
                >
                  {pull.isPending ? "Pulling…" : "Pull into the archive"}
                </button>
              </>
            )}
            {run && !answer.error && (
              <button
                type="button"
                disabled={push.isPending}
                data-testid="pacs-push"
                onClick={() => push.mutate({ id: patientId, runId: run.id, source: answer.source, gradCam })}
              >
                {push.isPending ? "Sending…" : `Send results of #${run.id} ${run.name} (DICOM SR)`}
              </button>
            )}
          </div>
        );
      })}
      {pull.data && (
        <p className="muted" data-testid="pacs-pulled">
          {pull.data.new.length} new, {pull.data.known.length} already known, {pull.data.rejected.length}{" "}
          rejected
        </p>
      )}
      {push.data && (
        <p className="muted" data-testid="pacs-pushed">
          {pushedText(push.data.pushed)}, {push.data.alreadyInPacs.length} already in the PACS
        </p>
      )}
      <MutationError error={pull.error} testId="pacs-pull-error" />
      <MutationError error={push.error} testId="pacs-push-error" />
    </section>
  );
}

/** "2 report(s) sent", or "2 report(s) and 2 Grad-CAM overlay(s) sent". */
function pushedText(pushed: { kind: "sr" | "gradcam" }[]): string {
  const reports = pushed.filter((p) => p.kind === "sr").length;
  const overlays = pushed.length - reports;
  return `${reports} report(s)${overlays ? ` and ${overlays} Grad-CAM overlay(s)` : ""} sent`;
}
