import os from "node:os";
import { apiTokenPrefix } from "@cxrlab/db";
import type { Command } from "commander";
import { deleteCredentials, readCredentials, writeCredentials } from "../credentials.ts";
import { createPrompt } from "../prompt.ts";
import { atServer, type RemoteClient, remoteClient, remoteErrorCode, signedIn } from "../remote.ts";
import { serverUrl } from "../server-url.ts";
import { signInWithPassword, signOut } from "../sign-in.ts";
import { DEFAULT_PORT } from "./serve.ts";

const DEFAULT_SERVER = `http://127.0.0.1:${DEFAULT_PORT}`;

function describeMe(me: Awaited<ReturnType<RemoteClient["account"]["me"]["query"]>>, server: string): string {
  const lines = [`${me.user.email} (${me.user.name}) at ${server}`];
  for (const m of me.memberships) lines.push(`  ${m.name}: ${m.role}`);
  if (me.memberships.length === 0) lines.push("  member of no project yet");
  if (me.mustChangePassword) lines.push("  the password is a one-time password: change it in the dashboard");
  return lines.join("\n");
}

/** Email and password from the terminal, a session, and from it a token named after this machine. */
async function tokenFromPassword(server: string, email?: string): Promise<string> {
  const prompt = createPrompt();
  let cookie: string;
  try {
    const address = email ?? (await prompt.ask("Email: ")).trim();
    const password = await prompt.ask("Password: ", true);
    cookie = await signInWithPassword(server, address, password);
  } finally {
    prompt.close();
  }
  try {
    const client = remoteClient(server, { cookie });
    const name = `cxrlab CLI on ${os.hostname()} (${os.userInfo().username})`;
    const { token } = await atServer(server, () => client.tokens.create.mutate({ name }));
    return token;
  } finally {
    await signOut(server, cookie);
  }
}

export function registerLoginCommands(program: Command): void {
  program
    .command("login")
    .description("sign in to a CXR Lab dashboard and keep an API token for the CLI")
    .option("--server <url>", "the dashboard's address (https unless on this machine)", DEFAULT_SERVER)
    .option("--insecure", "allow plain http to another machine (password and token unencrypted)")
    .option("--token <token>", "use this API token (made at /settings/tokens) instead of signing in")
    .option("--email <email>", "sign in as this account (asked otherwise)")
    .option("--json", "print the account as JSON")
    .action(
      async (flags: {
        server: string;
        token?: string;
        email?: string;
        json?: boolean;
        insecure?: boolean;
      }) => {
        const server = serverUrl(flags.server, { insecure: flags.insecure ?? false });
        const token = flags.token ?? (await tokenFromPassword(server, flags.email));
        // Checked before it is stored: a mistyped token or server fails here, not at the next command.
        const me = await atServer(server, () => remoteClient(server, { token }).account.me.query());
        const previous = readCredentials();
        const file = writeCredentials({ server, token });
        if (previous && previous.token !== token) {
          process.stderr.write(`replaced the credentials for ${previous.server} (that token stays valid)\n`);
        }
        if (flags.json) console.log(JSON.stringify({ server, user: me.user, file }));
        else console.log(`signed in as ${me.user.email} at ${server}; token kept in ${file}`);
      },
    );

  program
    .command("whoami")
    .description("the account the stored API token acts for, and its projects")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const { server, api, at } = signedIn();
      const me = await at(() => api.account.me.query());
      console.log(flags.json ? JSON.stringify({ server, ...me }) : describeMe(me, server));
    });

  program
    .command("logout")
    .description("revoke the stored API token on its server and forget it")
    .action(async () => {
      const credentials = readCredentials();
      if (!credentials) {
        console.log("not signed in");
        return;
      }
      const { server, token } = credentials;
      try {
        const outcome = await atServer(server, () => revokeOwnToken(server, token));
        console.log(
          outcome === "revoked"
            ? `signed out of ${server}; token revoked`
            : `signed out of ${server}; the token was no longer valid there`,
        );
      } finally {
        // The token may still be valid if the revocation failed, but this machine forgets it either way.
        deleteCredentials();
      }
    });
}

/** Revokes the token the client is signed in with (found by its prefix among the account's tokens). */
async function revokeOwnToken(server: string, token: string): Promise<"revoked" | "already-invalid"> {
  const client = remoteClient(server, { token });
  const prefix = apiTokenPrefix(token);
  try {
    const own = (await client.tokens.list.query()).find((t) => t.prefix === prefix && !t.revokedAt);
    if (!own) throw new Error("the token is not among the account's active tokens");
    await client.tokens.revoke.mutate({ id: own.id });
    return "revoked";
  } catch (error) {
    if (remoteErrorCode(error) === "UNAUTHORIZED") return "already-invalid";
    throw error;
  }
}
