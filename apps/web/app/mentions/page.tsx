import type { Metadata } from "next";
import Link from "next/link";
import { CommentBody } from "../../src/components/comment-body.tsx";
import { CommentHeader } from "../../src/components/comment-header.tsx";
import { getCaller } from "../../src/trpc/server.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Mentions" };

/** Comments that mention the signed-in account, newest first, each linking to its run. */
export default async function MentionsPage() {
  const caller = await getCaller();
  const mentions = await caller.account.mentions();
  return (
    <>
      <div className="page-head">
        <h1>Mentions</h1>
        <span className="muted">comments on runs that mention you</span>
      </div>
      <section className="card comments">
        {mentions.length === 0 && <p className="muted">Nobody has mentioned you yet.</p>}
        <ol className="comment-list" data-testid="mentions">
          {mentions.map((m) => (
            <li key={m.id} data-testid="mention-item" data-comment-id={m.id}>
              <CommentHeader comment={m}>
                {" on "}
                <Link href={`/runs/${m.runId}`}>{m.runName}</Link>
              </CommentHeader>
              <CommentBody comment={m} />
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
