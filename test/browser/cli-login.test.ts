import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { createApiToken, openStore, revokeApiToken, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "../api/accounts.ts";
import { parseJson, runCli } from "../helpers.ts";
import { privateDatabase, type RunningApp, startApp } from "./harness.ts";

/** `cxrlab login` against the built dashboard: password sign-in over HTTP, the token file, whoami, logout. */
describe("cxrlab login, whoami and logout against a running dashboard", () => {
  const databaseUrl = privateDatabase();
  let app: RunningApp;
  let store: Store;
  let account: TestAccount;
  const configHome = mkdtempSync(path.join(tmpdir(), "cxrlab-config-"));
  const env = { XDG_CONFIG_HOME: configHome };
  const file = path.join(configHome, "cxrlab", "credentials.json");

  /** The CLI, answering its Email/Password questions. */
  const cli = (args: string[], answers: { email?: string; password?: string } = {}) =>
    runCli(args, {
      env,
      onStderr: (text, child) => {
        if (answers.email && text.endsWith("Email: ")) child.stdin!.write(`${answers.email}\n`);
        if (answers.password && text.endsWith("Password: ")) child.stdin!.end(`${answers.password}\n`);
      },
    });

  beforeAll(async () => {
    [app, store] = await Promise.all([startApp(databaseUrl), openStore(databaseUrl)]);
    account = await testAccount(store, "researcher");
  });
  afterAll(async () => {
    await Promise.all([app?.stop(), store?.close()]);
  });

  it("refuses a wrong password and stores nothing", async () => {
    const result = await cli(["login", "--server", app.baseUrl], {
      email: account.email,
      password: "not the password",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("refused the sign-in: wrong email or password");
    expect(() => statSync(file)).toThrow();
  });

  it("signs in with email and password, keeps a token readable by the owner only, and ends the session", async () => {
    const result = await cli(["login", "--server", app.baseUrl], {
      email: account.email,
      password: account.password,
    });
    expect(result.stderr).not.toContain(account.password);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      `signed in as ${account.email} at ${app.baseUrl}; token kept in ${file}`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, "utf8")) as { server: string; token: string };
    expect(saved.server).toBe(app.baseUrl);
    const tokens = await store.prisma.apiToken.findMany({
      where: { userId: account.userId, revokedAt: null },
    });
    expect(tokens.map((t) => t.name)).toContain(`cxrlab CLI on ${os.hostname()} (${os.userInfo().username})`);
    expect(tokens.some((t) => saved.token.startsWith(`cxr_${t.prefix}`))).toBe(true);
    // The password session only lived to make the token.
    expect(await store.prisma.session.count({ where: { userId: account.userId } })).toBe(0);
    const created = await store.prisma.auditEvent.findFirst({
      where: { actorId: account.userId, action: "token.create" },
    });
    expect(created?.userAgent).toBe("cxrlab-cli");
  });

  it("tells who the token acts for", async () => {
    const me = parseJson<{
      server: string;
      user: { email: string };
      memberships: { name: string; role: string }[];
    }>(await cli(["whoami", "--json"]));
    expect(me).toMatchObject({ server: app.baseUrl, user: { email: account.email } });
    expect(me.memberships.map((m) => [m.name, m.role])).toEqual([["default", "researcher"]]);
    const text = await cli(["whoami"]);
    expect(text.stdout).toBe(`${account.email} (Test researcher) at ${app.baseUrl}\n  default: researcher\n`);
  });

  it("logs out by revoking the token on the server and deleting the file", async () => {
    const { token } = JSON.parse(readFileSync(file, "utf8")) as { token: string };
    const result = await cli(["logout"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`signed out of ${app.baseUrl}; token revoked`);
    expect(() => statSync(file)).toThrow();
    const stored = await store.prisma.apiToken.findFirstOrThrow({ where: { prefix: token.slice(4, 12) } });
    expect(stored.revokedAt).toBeInstanceOf(Date);
    const response = await fetch(`${app.baseUrl}/api/trpc/account.me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(401);
  });

  it("takes a token made in the dashboard, and says so when the server no longer accepts it", async () => {
    const { token, record } = await createApiToken(store, account.userId, "made on /settings/tokens");
    const login = await cli(["login", "--server", app.baseUrl, "--token", token]);
    expect(login.code).toBe(0);
    expect((await cli(["whoami"])).stdout).toContain(account.email);
    await revokeApiToken(store, account.userId, record.id);
    const refused = await cli(["whoami"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${app.baseUrl} does not accept the stored token (revoked or expired)`);
    const logout = await cli(["logout"]);
    expect(logout.stdout.trim()).toBe(`signed out of ${app.baseUrl}; the token was no longer valid there`);
    expect(() => statSync(file)).toThrow();
  });
});
