import { mentionNames, mentionTokens } from "@cxrlab/validators/mentions";
import type { Prisma } from "./generated/sqlite/client.ts";
import { retryWhenBusy } from "./retry.ts";
import type { Store } from "./store.ts";
import { USER_REF, type UserRef } from "./user-ref.ts";

export interface RunCommentRecord {
  id: number;
  runId: number;
  body: string;
  createdAt: Date;
  /** Null once the author's account is deleted. */
  author: UserRef | null;
  /** The project members the body mentions, by email. */
  mentions: UserRef[];
}

/** A comment that mentions someone, with the run it is on. */
export interface MentionRecord extends RunCommentRecord {
  runName: string;
}

/** Why a comment was not stored: no such run, an empty text or a mention two members could answer to. */
export class CommentRefused extends Error {
  override name = "CommentRefused";
}

const COMMENT = {
  author: { select: USER_REF },
  mentions: { select: { user: { select: USER_REF } } },
} satisfies Prisma.RunCommentInclude;

type CommentRow = Prisma.RunCommentGetPayload<{ include: typeof COMMENT }>;

function toRecord({ id, runId, body, createdAt, author, mentions }: CommentRow): RunCommentRecord {
  const users = mentions.map((m) => m.user).sort((a, b) => a.email.localeCompare(b.email));
  return { id, runId, body, createdAt, author, mentions: users };
}

/**
 * The members of `projectId` that `body` mentions. A token matches a member's email, or the part of
 * it before the `@`; tokens that match no member are plain text. A local part shared by two members
 * is refused, naming both, so a comment never notifies the wrong person.
 */
async function resolveMentions(store: Store, projectId: number | null, body: string): Promise<string[]> {
  const tokens = mentionTokens(body);
  if (!tokens.length || projectId === null) return [];
  const members = await store.prisma.membership.findMany({
    where: { projectId },
    select: { user: { select: USER_REF } },
  });
  const ids = new Set<string>();
  for (const token of tokens) {
    const matches = members.filter((m) => mentionNames(token, m.user.email));
    if (matches.length > 1) {
      const emails = matches.map((m) => m.user.email).join(" and ");
      throw new CommentRefused(`@${token} could mean ${emails}: write the full email address`);
    }
    if (matches[0]) ids.add(matches[0].user.id);
  }
  return [...ids];
}

/**
 * Adds a comment by `authorId` to a run and records whom it mentions (only members of the run's
 * project can be mentioned). Throws when the run does not exist or the body is empty.
 */
export async function addComment(
  store: Store,
  comment: { runId: number; authorId: string | null; body: string },
): Promise<RunCommentRecord> {
  const body = comment.body.trim();
  if (!body) throw new CommentRefused(`comment on run ${comment.runId}: the text is empty`);
  const run = await store.prisma.run.findUnique({
    where: { id: comment.runId },
    select: { projectId: true },
  });
  if (!run) throw new CommentRefused(`comment on run ${comment.runId}: no such run`);
  const mentioned = await resolveMentions(store, run.projectId, body);
  const created = await retryWhenBusy(() =>
    store.prisma.runComment.create({
      data: {
        runId: comment.runId,
        authorId: comment.authorId,
        body,
        mentions: { create: mentioned.map((userId) => ({ userId })) },
      },
      include: COMMENT,
    }),
  );
  return toRecord(created);
}

/** A run's comments, oldest first. */
export async function listComments(store: Store, runId: number): Promise<RunCommentRecord[]> {
  const rows = await store.prisma.runComment.findMany({
    where: { runId },
    include: COMMENT,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map(toRecord);
}

/**
 * The comments that mention `userId`, newest first (at most `limit`, default 50); with `projectIds`,
 * only those on runs of these projects (the API passes the ones the user may still read).
 */
export async function mentionsOf(
  store: Store,
  userId: string,
  options: { projectIds?: readonly number[]; limit?: number } = {},
): Promise<MentionRecord[]> {
  const rows = await store.prisma.runComment.findMany({
    where: {
      mentions: { some: { userId } },
      ...(options.projectIds ? { run: { projectId: { in: [...options.projectIds] } } } : {}),
    },
    include: { ...COMMENT, run: { select: { name: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 50,
  });
  return rows.map(({ run, ...row }) => ({ ...toRecord(row), runName: run.name }));
}
