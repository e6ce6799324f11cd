import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { getAuth } from "@cxrlab/api/auth";
import { listAuditEvents, openStore, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_URL, parseJson, runCli } from "./helpers.ts";

const addMember = (project: string, email: string, role: string) =>
  runCli(["projects", "add-member", "--project", project, "--email", email, "--role", role]);

/** A port that was free a moment ago: nobody listens on it. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs the CLI answering its "Password: " question with `password` on stdin. */
function runCliWithPassword(args: string[], password: string) {
  let answered = false;
  return runCli(args, {
    onStderr: (text, child) => {
      if (!answered && text.includes("Password: ")) {
        answered = true;
        child.stdin!.end(`${password}\n`);
      }
    },
  });
}

/** True when the accounts library accepts the password for the email (a real sign-in). */
async function canSignIn(store: Store, email: string, password: string): Promise<boolean> {
  try {
    await getAuth(store).api.signInEmail({ body: { email, password } });
    return true;
  } catch {
    return false;
  }
}

describe("cxrlab users and projects", () => {
  let store: Store;

  beforeAll(async () => {
    // The first command migrates the store.
    expect((await runCli(["users", "list"])).code).toBe(0);
    store = await openStore(DATABASE_URL);
  });
  afterAll(async () => {
    await store?.close();
  });

  it("adds an account with a one-time password and a role, and the password signs in", async () => {
    const result = await runCli([
      "users",
      "add",
      "--email",
      "Ada@Example.org",
      "--role",
      "admin",
      "--project",
      "chest",
    ]);
    expect(result.code).toBe(0);
    const password = /^one-time password: (\S+)$/m.exec(result.stdout)?.[1];
    expect(result.stdout).toContain("created ada@example.org as admin of chest");
    expect(password).toMatch(/^\S{20}$/);
    expect(result.stderr).not.toContain(password);
    expect(await canSignIn(store, "ada@example.org", password!)).toBe(true);
    expect(await canSignIn(store, "ada@example.org", `${password}x`)).toBe(false);
    const user = await store.prisma.user.findUniqueOrThrow({ where: { email: "ada@example.org" } });
    expect(user.mustChangePassword).toBe(true);
    expect(user.name).toBe("ada");
  });

  it("issues a new one-time password (users reset-password), its 72 hours starting again", async () => {
    const before = await store.prisma.account.findFirstOrThrow({
      where: { user: { email: "ada@example.org" }, providerId: "credential" },
    });
    const result = await runCli(["users", "reset-password", "--email", "ADA@example.org", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const issued = parseJson<{ user: { email: string }; password: string; oneTime: boolean }>(result);
    expect(issued).toMatchObject({ user: { email: "ada@example.org" }, oneTime: true });
    expect(await canSignIn(store, "ada@example.org", issued.password)).toBe(true);
    const after = await store.prisma.account.findUniqueOrThrow({ where: { id: before.id } });
    // The 72 hours of the new one-time password start now.
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    expect(after.password).not.toBe(before.password);
    const text = await runCli(["users", "reset-password", "--email", "ada@example.org"]);
    expect(text.stdout).toMatch(/^one-time password: \S{20}\n\(shown once; .* within 72 hours\)$/m);
    const unknown = await runCli(["users", "reset-password", "--email", "zed@example.org"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no account with the email zed@example.org");
    expect((await listAuditEvents(store, { action: "user.password.reset" })).total).toBe(2);
  });

  it("takes a chosen password from stdin, never from the command line", async () => {
    const result = await runCliWithPassword(
      ["users", "add", "--email", "bo@example.org", "--name", "Bo Lee", "--password-stdin", "--json"],
      "correct horse battery",
    );
    expect(result.code).toBe(0);
    expect(parseJson(result)).toMatchObject({
      user: { email: "bo@example.org", name: "Bo Lee" },
      oneTime: false,
    });
    expect(await canSignIn(store, "bo@example.org", "correct horse battery")).toBe(true);
    const user = await store.prisma.user.findUniqueOrThrow({ where: { email: "bo@example.org" } });
    expect(user.mustChangePassword).toBe(false);
  });

  it("refuses a duplicate account, a short password, a bad role and --project without --role", async () => {
    const duplicate = await runCli(["users", "add", "--email", "ada@example.org"]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain("an account for ada@example.org exists already");
    const short = await runCliWithPassword(
      ["users", "add", "--email", "cy@example.org", "--password-stdin"],
      "short",
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const role = await runCli(["users", "add", "--email", "cy@example.org", "--role", "owner"]);
    expect(role.code).not.toBe(0);
    expect(role.stderr).toMatch(/--role.*owner.*viewer, researcher, clinician, admin/s);
    const project = await runCli(["users", "add", "--email", "cy@example.org", "--project", "chest"]);
    expect(project.code).toBe(1);
    expect(project.stderr).toContain("--project needs --role");
    expect(await store.prisma.user.count({ where: { email: "cy@example.org" } })).toBe(0);
  });

  it("adds members to projects, creating a project on first use, and changes roles", async () => {
    const added = await addMember("chest", "bo@example.org", "viewer");
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toBe("bo@example.org added as viewer of chest");
    const changed = await addMember("chest", "BO@example.org", "clinician");
    expect(changed.stdout.trim()).toBe("bo@example.org changed from viewer to clinician of chest");
    const created = await addMember("lungs", "bo@example.org", "admin");
    expect(created.stdout).toBe("created project lungs\nbo@example.org added as admin of lungs\n");

    const unknown = await addMember("chest", "zed@example.org", "viewer");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no account with the email zed@example.org");
    const lastAdmin = await addMember("chest", "ada@example.org", "viewer");
    expect(lastAdmin.code).toBe(1);
    expect(lastAdmin.stderr).toContain("ada@example.org is the last admin of project");
  });

  it("lists accounts with their roles and projects with their admins", async () => {
    const users = parseJson<{ email: string; memberships: { project: string; role: string }[] }[]>(
      await runCli(["users", "list", "--json"]),
    );
    expect(users.map((u) => [u.email, u.memberships.map((m) => `${m.project}:${m.role}`)])).toEqual([
      ["ada@example.org", ["chest:admin"]],
      ["bo@example.org", ["chest:clinician", "lungs:admin"]],
    ]);
    const text = await runCli(["users", "list"]);
    expect(text.stdout).toMatch(/^ada@example\.org\s+ada\s+chest:admin\s+\(one-time password\)$/m);

    const projects = parseJson<{ name: string; memberCount: number; admins: string[] }[]>(
      await runCli(["projects", "list", "--json"]),
    );
    expect(projects.map((p) => [p.name, p.memberCount, p.admins])).toEqual([
      ["chest", 2, ["ada@example.org"]],
      ["lungs", 1, ["bo@example.org"]],
    ]);
  });

  it("records the CLI's account changes in the audit log", async () => {
    const { items } = await listAuditEvents(store, { action: "member.set" });
    expect(items.map((e) => (e.details as { role: string }).role)).toEqual(["admin", "clinician", "viewer"]);
    expect(items.every((e) => e.userAgent?.startsWith("cxrlab-cli (") && e.actorId === null)).toBe(true);
    expect((await listAuditEvents(store, { action: "user.create" })).total).toBe(2);
  });

  it("disables and enables an account (users disable/enable), never a project's last enabled admin", async () => {
    expect(
      (await runCli(["users", "add", "--email", "cy@example.org", "--role", "viewer", "--project", "chest"]))
        .code,
    ).toBe(0);
    const disabled = await runCli(["users", "disable", "--email", "CY@example.org"]);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain("disabled cy@example.org");
    expect((await runCli(["users", "list"])).stdout).toMatch(
      /^cy@example\.org\s+cy\s+chest:viewer\s+\(disabled\)/m,
    );
    const cy = await store.prisma.user.findUniqueOrThrow({ where: { email: "cy@example.org" } });
    expect(cy.disabledAt).toBeInstanceOf(Date);
    const lastAdmin = await runCli(["users", "disable", "--email", "ada@example.org"]);
    expect(lastAdmin.code).not.toBe(0);
    expect(lastAdmin.stderr).toContain("ada@example.org is the last admin of project");
    expect((await runCli(["users", "enable", "--email", "cy@example.org"])).code).toBe(0);
    expect((await runCli(["users", "list"])).stdout).not.toContain("(disabled)");
    const events = (await listAuditEvents(store, { action: "user." })).items.map((e) => e.action);
    expect(events.slice(0, 2)).toEqual(["user.enable", "user.disable"]);
  });
});

describe("cxrlab whoami and logout without a server", () => {
  const config = mkdtempSync(path.join(tmpdir(), "cxrlab-config-"));
  const env = { XDG_CONFIG_HOME: config };
  const file = path.join(config, "cxrlab", "credentials.json");

  it("says how to sign in when there are no credentials", async () => {
    const whoami = await runCli(["whoami"], { env });
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toContain(`not signed in (no ${file}): run \`cxrlab login\` first`);
    const logout = await runCli(["logout"], { env });
    expect(logout.code).toBe(0);
    expect(logout.stdout.trim()).toBe("not signed in");
  });

  it("names a damaged credentials file", async () => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"server": "http://127.0.0.1:1", "token": "secret"}');
    const whoami = await runCli(["whoami"], { env });
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toContain(`${file} holds no valid credentials (token: not a CXR Lab API token)`);
    writeFileSync(file, "{oops");
    expect((await runCli(["whoami"], { env })).stderr).toContain(`${file} is not JSON`);
  });

  it("refuses a login whose server does not answer, storing nothing", async () => {
    const closed = await closedPort();
    const configHome = mkdtempSync(path.join(tmpdir(), "cxrlab-config-"));
    const result = await runCli(["login", "--server", `http://127.0.0.1:${closed}`, "--token", "cxr_abc"], {
      env: { XDG_CONFIG_HOME: configHome },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`http://127.0.0.1:${closed}: ECONNREFUSED`);
    expect(existsSync(path.join(configHome, "cxrlab", "credentials.json"))).toBe(false);
  });
});
