/**
 * `@` mentions in comments, shared by the store (which resolves them to project members) and the
 * dashboard (which highlights them): `@` at the start or after a character that is neither a word
 * character nor `@` (so the `@` inside an email address in the text is not one), then an email
 * address or the part of one before its `@`. A trailing full stop ends the sentence, not the name.
 */
const MENTION = /(?<![\w@])@([\w.%+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)/g;

export type CommentPart = { text: string; mention?: undefined } | { text: string; mention: string };

/** The body cut into plain text and `@name` parts; `mention` is the name, lower-cased. */
export function splitMentions(body: string): CommentPart[] {
  const parts: CommentPart[] = [];
  let at = 0;
  for (const match of body.matchAll(MENTION)) {
    const name = match[1]!.replace(/\.+$/, "");
    if (!name) continue;
    if (match.index > at) parts.push({ text: body.slice(at, match.index) });
    parts.push({ text: `@${name}`, mention: name.toLowerCase() });
    at = match.index + 1 + name.length;
  }
  if (at < body.length) parts.push({ text: body.slice(at) });
  return parts;
}

/** The distinct names the body mentions, lower-cased, in order. */
export function mentionTokens(body: string): string[] {
  return [...new Set(splitMentions(body).flatMap((p) => (p.mention ? [p.mention] : [])))];
}

/** Whether the mention `name` (lower-cased) names the account with `email`: the whole address or its local part. */
export function mentionNames(name: string, email: string): boolean {
  const address = email.toLowerCase();
  return name.includes("@") ? address === name : address.split("@")[0] === name;
}
