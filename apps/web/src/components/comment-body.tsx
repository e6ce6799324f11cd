import { mentionNames, splitMentions } from "@cxrlab/validators/mentions";

/** What a comment shows: its text and the members it mentions. */
export interface CommentText {
  body: string;
  mentions: readonly { id: string; email: string }[];
}

/** The comment's text with the mentions that reached a member marked (others stay plain text). */
export function CommentBody({ comment }: { comment: CommentText }) {
  return (
    <p className="comment-body">
      {splitMentions(comment.body).map((part, i) => {
        const user = part.mention && comment.mentions.find((u) => mentionNames(part.mention, u.email));
        // The parts are a fixed split of text that never changes: their order is their identity.
        return user ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <mark key={i} className="mention" title={user.email} data-testid="mention" data-user-id={user.id}>
            {part.text}
          </mark>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <span key={i}>{part.text}</span>
        );
      })}
    </p>
  );
}
