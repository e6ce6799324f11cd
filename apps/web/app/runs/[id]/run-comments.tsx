"use client";

import type { RouterOutputs } from "@cxrlab/api";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { CommentBody } from "../../../src/components/comment-body.tsx";
import { CommentHeader } from "../../../src/components/comment-header.tsx";
import { useTRPC } from "../../../src/trpc/client.tsx";

type Comment = RouterOutputs["runs"]["comments"][number];

/** A run's comments, oldest first, and the form that adds one (`@` + a member's email mentions them). */
export function RunComments({
  runId,
  comments,
  canComment,
}: {
  runId: number;
  comments: Comment[];
  canComment: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [body, setBody] = useState("");
  const add = useMutation(trpc.runs.addComment.mutationOptions({ onSuccess: () => router.refresh() }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = body.trim();
    if (!value) return;
    add.mutate({ id: runId, body: value }, { onSuccess: () => setBody("") });
  }

  return (
    <section className="card comments" aria-labelledby="comments-heading">
      <h2 id="comments-heading">Comments ({comments.length})</h2>
      {comments.length === 0 && <p className="muted">No comments yet.</p>}
      <ol className="comment-list" data-testid="run-comments">
        {comments.map((c) => (
          <li key={c.id} data-testid="run-comment" data-comment-id={c.id}>
            <CommentHeader comment={c} />
            <CommentBody comment={c} />
          </li>
        ))}
      </ol>
      {canComment && (
        <form className="inline-form" onSubmit={submit}>
          <textarea
            rows={2}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            placeholder="Add a comment; @name or @email mentions a project member"
            aria-label="New comment"
            maxLength={10_000}
            data-testid="comment-input"
          />
          <button type="submit" disabled={add.isPending || !body.trim()} data-testid="comment-add">
            Comment
          </button>
        </form>
      )}
      {add.error && (
        <p className="error-box" role="alert" data-testid="comment-error">
          {add.error.message}
        </p>
      )}
    </section>
  );
}
