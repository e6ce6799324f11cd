import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { imageFileInfo } from "@cxrlab/core/data";
import { resolveConfig } from "@cxrlab/core/presets";
import {
  createApiToken,
  createRun,
  getRun,
  ingestImage,
  openStore,
  revokeApiToken,
  type Store,
} from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "../api/accounts.ts";
import { sampleImagePaths } from "../api/fixture.ts";
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

  describe("runs and patients --remote: through the dashboard, as the signed-in account", () => {
    const audited = (actorId: string, action: string) =>
      store.prisma.auditEvent.findMany({ where: { actorId, action }, orderBy: { id: "asc" } });

    it("lists, shows, tags and notes runs of the account's projects only, audited under its name", async () => {
      const mine = await createRun(store, {
        config: resolveConfig("quick", { name: "remote-mine" }),
        backend: "wasm",
      });
      const other = await createRun(store, {
        config: resolveConfig("quick", { name: "remote-other" }),
        backend: "wasm",
        project: "elsewhere",
      });
      const listed = parseJson<{ id: number }[]>(await cli(["runs", "list", "--remote", "--json"]));
      expect(listed.map((r) => r.id)).toContain(mine.id);
      expect(listed.map((r) => r.id)).not.toContain(other.id);
      expect(parseJson(await cli(["runs", "show", String(mine.id), "--remote", "--json"]))).toMatchObject({
        id: mine.id,
        name: "remote-mine",
      });
      const hidden = await cli(["runs", "show", String(other.id), "--remote"]);
      expect(hidden.code).toBe(1);
      expect(hidden.stderr).toContain(`${app.baseUrl} refused: your role does not allow runs.get here`);

      expect((await cli(["runs", "tag", String(mine.id), "cli", "remote", "--remote"])).code).toBe(0);
      expect((await cli(["runs", "note", String(mine.id), "from", "the", "terminal", "--remote"])).code).toBe(
        0,
      );
      const stored = (await getRun(store, mine.id))!;
      expect([...stored.tags].sort()).toEqual(["cli", "remote"]);
      expect(stored.notes.map((n) => n.body)).toEqual(["from the terminal"]);
      expect((await audited(account.userId, "run.tag")).map((e) => e.targetId)).toEqual([
        String(mine.id),
        String(mine.id),
      ]);
      expect(await audited(account.userId, "run.note")).toHaveLength(1);
    });

    it("refuses patients to a researcher, and shows a clinician the timeline, audited under the clinician", async () => {
      const file = sampleImagePaths(1)[0]!.path;
      await ingestImage(store, {
        patient: { patientId: "CLI-REMOTE-1", issuer: "", name: "DOE^JOHN", birthDate: null, sex: "M" },
        study: {
          studyInstanceUid: "1.2.826.77.1",
          studyDate: null,
          accessionNumber: "R-1",
          description: null,
        },
        image: { ...(await imageFileInfo(file)), location: file, sourceFormat: "png", sourceLocation: file },
      });
      const refused = await cli(["patients", "show", "CLI-REMOTE-1", "--remote"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `${app.baseUrl} refused: your role does not allow patients.search here`,
      );
      expect(refused.stdout).not.toContain("DOE^JOHN");

      // A clinician signed in with a token from the dashboard, in a config home of their own.
      const clinician = await testAccount(store, "clinician");
      const { token } = await createApiToken(store, clinician.userId, "clinician's laptop");
      const clinicianEnv = { XDG_CONFIG_HOME: mkdtempSync(path.join(tmpdir(), "cxrlab-config-")) };
      const asClinician = (args: string[]) => runCli(args, { env: clinicianEnv });
      expect((await asClinician(["login", "--server", app.baseUrl, "--token", token])).code).toBe(0);
      const listed = parseJson<{ items: { patientId: string }[] }>(
        await asClinician(["patients", "list", "--q", "CLI-REMOTE", "--remote", "--json"]),
      );
      expect(listed.items.map((p) => p.patientId)).toEqual(["CLI-REMOTE-1"]);
      const shown = await asClinician(["patients", "show", "CLI-REMOTE-1", "--remote"]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain("patient CLI-REMOTE-1  DOE^JOHN  M");
      expect(shown.stdout).toContain("study 1.2.826.77.1  accession R-1");
      const views = await audited(clinician.userId, "patient.view");
      expect(views).toHaveLength(1);
      expect(views[0]!.userAgent).toBe("cxrlab-cli");
      const missing = await asClinician(["patients", "show", "NO-SUCH-PATIENT", "--remote"]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("no patient NO-SUCH-PATIENT in the archive");
    });
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
