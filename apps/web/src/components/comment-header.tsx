import type { ReactNode } from "react";
import { accountName, dateTime } from "../format.ts";

/** What a comment's header shows: who wrote it (null once the account was deleted) and when. */
export interface CommentMeta {
  author: { name: string; email: string } | null;
  createdAt: Date | string;
}

/** A comment's author and time; `children` (e.g. " on <run>") stand between the two. */
export function CommentHeader({ comment, children }: { comment: CommentMeta; children?: ReactNode }) {
  return (
    <div className="comment-meta">
      <strong data-testid="comment-author">{accountName(comment.author)}</strong>
      {children}{" "}
      <time className="muted" dateTime={new Date(comment.createdAt).toISOString()}>
        {dateTime(comment.createdAt)}
      </time>
    </div>
  );
}
