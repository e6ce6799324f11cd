"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { TextForm } from "../../../src/components/text-form.tsx";
import { dateTime } from "../../../src/format.ts";
import { useTRPC } from "../../../src/trpc/client.tsx";

interface Note {
  id: number;
  body: string;
  createdAt: Date;
}

/** Tags (add, remove) and notes (add) of a run, written through the API's mutations. */
export function RunAnnotations({ runId, tags, notes }: { runId: number; tags: string[]; notes: Note[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  // The page is server-rendered: after a write, render it again from the store.
  const refresh = { onSuccess: () => router.refresh() };
  const addTag = useMutation(trpc.runs.addTag.mutationOptions(refresh));
  const removeTag = useMutation(trpc.runs.removeTag.mutationOptions(refresh));
  const addNote = useMutation(trpc.runs.addNote.mutationOptions(refresh));
  const error = addTag.error ?? removeTag.error ?? addNote.error;

  return (
    <div className="grid-2">
      <section className="card" aria-labelledby="tags-heading">
        <h2 id="tags-heading">Tags</h2>
        <div data-testid="run-tags">
          {tags.length === 0 && <span className="muted">No tags yet.</span>}
          {tags.map((t) => (
            <span key={t} className="tag" data-testid="run-tag" data-tag={t}>
              {t}
              <button
                type="button"
                aria-label={`Remove tag ${t}`}
                data-testid="remove-tag"
                disabled={removeTag.isPending}
                onClick={() => removeTag.mutate({ id: runId, tag: t })}
              >
                ×
              </button>
            </span>
          ))}
        </div>
        <TextForm
          mutation={addTag}
          toInput={(tag) => ({ id: runId, tag })}
          field={{
            placeholder: "new tag",
            "aria-label": "New tag",
            maxLength: 64,
            "data-testid": "tag-input",
          }}
          submit={{ label: "Add tag", testId: "tag-add" }}
        />
      </section>
      <section className="card" aria-labelledby="notes-heading">
        <h2 id="notes-heading">Notes</h2>
        <ul data-testid="run-notes" style={{ paddingLeft: "1.1rem", margin: 0 }}>
          {notes.map((n) => (
            <li key={n.id} data-testid="run-note">
              <span style={{ whiteSpace: "pre-wrap" }}>{n.body}</span>{" "}
              <span className="muted">({dateTime(n.createdAt)})</span>
            </li>
          ))}
        </ul>
        {notes.length === 0 && <p className="muted">No notes yet.</p>}
        <TextForm
          mutation={addNote}
          toInput={(body) => ({ id: runId, body })}
          multiline
          field={{ placeholder: "Add a note", "aria-label": "New note", "data-testid": "note-input" }}
          submit={{ label: "Add note", testId: "note-add" }}
        />
      </section>
      {error && (
        <p className="error-box" role="alert">
          {error.message}
        </p>
      )}
    </div>
  );
}
