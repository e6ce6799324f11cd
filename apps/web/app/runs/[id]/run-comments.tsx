"use client";

import type { RouterOutputs } from "@cxrlab/api";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { CommentBody } from "../../../src/components/comment-body.tsx";
import { CommentHeader } from "../../../src/components/comment-header.tsx";
import { TextForm } from "../../../src/components/text-form.tsx";
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
  const add = useMutation(trpc.runs.addComment.mutationOptions({ onSuccess: () => router.refresh() }));

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
        <TextForm
          mutation={add}
          toInput={(body) => ({ id: runId, body })}
          multiline
          field={{
            placeholder: "Add a comment; @name or @email mentions a project member",
            "aria-label": "New comment",
            maxLength: 10_000,
            "data-testid": "comment-input",
          }}
          submit={{ label: "Comment", testId: "comment-add" }}
        />
      )}
      {add.error && (
        <p className="error-box" role="alert" data-testid="comment-error">
          {add.error.message}
        </p>
      )}
    </section>
  );
}
