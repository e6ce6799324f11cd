"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
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
  const [tag, setTag] = useState("");
  const [note, setNote] = useState("");
  // The page is server-rendered: after a write, render it again from the store.
  const refresh = { onSuccess: () => router.refresh() };
  const addTag = useMutation(trpc.runs.addTag.mutationOptions(refresh));
  const removeTag = useMutation(trpc.runs.removeTag.mutationOptions(refresh));
  const addNote = useMutation(trpc.runs.addNote.mutationOptions(refresh));
  const error = addTag.error ?? removeTag.error ?? addNote.error;

  function submitTag(event: FormEvent) {
    event.preventDefault();
    const value = tag.trim();
    if (!value) return;
    addTag.mutate({ id: runId, tag: value }, { onSuccess: () => setTag("") });
  }
  function submitNote(event: FormEvent) {
    event.preventDefault();
    const value = note.trim();
    if (!value) return;
    addNote.mutate({ id: runId, body: value }, { onSuccess: () => setNote("") });
  }

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
        <form className="inline-form" onSubmit={submitTag}>
          <input
            type="text"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
            placeholder="new tag"
            aria-label="New tag"
            maxLength={64}
            data-testid="tag-input"
          />
          <button type="submit" disabled={addTag.isPending || !tag.trim()} data-testid="tag-add">
            Add tag
          </button>
        </form>
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
        <form className="inline-form" onSubmit={submitNote}>
          <textarea
            rows={2}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder="Add a note"
            aria-label="New note"
            data-testid="note-input"
          />
          <button type="submit" disabled={addNote.isPending || !note.trim()} data-testid="note-add">
            Add note
          </button>
        </form>
      </section>
      {error && (
        <p className="error-box" role="alert">
          {error.message}
        </p>
      )}
    </div>
  );
}
