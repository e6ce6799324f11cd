import {
  type CreatedUser,
  createUser,
  disableUser,
  enableUser,
  issueOneTimePassword,
  ONE_TIME_PASSWORD_HOURS,
} from "@cxrlab/api/auth";
import { appendAuditEvent, listUsers, withStore } from "@cxrlab/db";
import { ROLES, type Role } from "@cxrlab/validators/roles";
import { type Command, Option } from "commander";
import { cliActor } from "../cli-audit.ts";
import { createPrompt } from "../prompt.ts";

export function registerUsersCommand(program: Command): void {
  const users = program.command("users").description("dashboard accounts (acts on the store directly)");

  users
    .command("add")
    .description("create an account; prints a one-time password unless --password-stdin gives one")
    .requiredOption("--email <email>", "the account's email (its sign-in name)")
    .option("--name <name>", "display name (default: the email's local part)")
    .addOption(new Option("--role <role>", "make it a member of --project with this role").choices(ROLES))
    .option("--project <name>", 'the project of --role (default "default"; created on first use)')
    .option("--password-stdin", "read the password from the first line of stdin instead of generating one")
    .option("--json", "print {user, password, oneTime} as JSON")
    .action(
      async (flags: {
        email: string;
        name?: string;
        role?: Role;
        project?: string;
        passwordStdin?: boolean;
        json?: boolean;
      }) => {
        if (flags.project && !flags.role)
          throw new Error("--project needs --role (the role in that project)");
        let password: string | undefined;
        if (flags.passwordStdin) {
          const prompt = createPrompt();
          try {
            password = await prompt.ask("Password: ", true);
          } finally {
            prompt.close();
          }
        }
        await withStore(async (store) => {
          const created = await createUser(store, {
            email: flags.email,
            ...(flags.name ? { name: flags.name } : {}),
            ...(password !== undefined ? { password } : {}),
            ...(flags.role ? { role: flags.role, project: flags.project ?? "default" } : {}),
          });
          const project = flags.role
            ? await store.prisma.project.findUnique({ where: { name: flags.project ?? "default" } })
            : null;
          await appendAuditEvent(store, {
            ...cliActor(),
            action: "user.create",
            targetType: "user",
            targetId: created.user.id,
            projectId: project?.id ?? null,
            details: {
              email: created.user.email,
              role: flags.role ?? null,
              oneTimePassword: created.oneTime,
            },
          });
          if (flags.json) {
            console.log(JSON.stringify(created));
            return;
          }
          const membership = flags.role ? ` as ${flags.role} of ${flags.project ?? "default"}` : "";
          console.log(`created ${created.user.email}${membership}`);
          if (created.oneTime) printOneTimePassword(created);
        });
      },
    );

  users
    .command("reset-password")
    .description(
      `issue a new one-time password (e.g. when one expired, ${ONE_TIME_PASSWORD_HOURS} h after it was issued); signs out the account's sessions and revokes its API tokens`,
    )
    .requiredOption("--email <email>", "the account's email")
    .option("--json", "print {user, password, oneTime} as JSON")
    .action(async (flags: { email: string; json?: boolean }) => {
      await withStore(async (store) => {
        const issued = await issueOneTimePassword(store, flags.email);
        await appendAuditEvent(store, {
          ...cliActor(),
          action: "user.password.reset",
          targetType: "user",
          targetId: issued.user.id,
          details: { email: issued.user.email },
        });
        if (flags.json) console.log(JSON.stringify(issued));
        else printOneTimePassword(issued);
      });
    });

  users
    .command("disable")
    .description(
      "stop an account: it cannot sign in, its sessions end and its API tokens are revoked at once (refused for a project's last enabled admin)",
    )
    .requiredOption("--email <email>", "the account's email")
    .action(async (flags: { email: string }) => {
      await withStore(async (store) => {
        const user = await disableUser(store, flags.email);
        await appendAuditEvent(store, {
          ...cliActor(),
          action: "user.disable",
          targetType: "user",
          targetId: user.id,
          details: { email: user.email },
        });
        console.log(`disabled ${user.email}: its sessions are ended and its API tokens revoked`);
      });
    });

  users
    .command("enable")
    .description("let a disabled account sign in again (its revoked API tokens stay revoked)")
    .requiredOption("--email <email>", "the account's email")
    .action(async (flags: { email: string }) => {
      await withStore(async (store) => {
        const user = await enableUser(store, flags.email);
        await appendAuditEvent(store, {
          ...cliActor(),
          action: "user.enable",
          targetType: "user",
          targetId: user.id,
          details: { email: user.email },
        });
        console.log(`enabled ${user.email}`);
      });
    });

  users
    .command("list")
    .description("every account with its projects and roles")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      await withStore(async (store) => {
        const list = await listUsers(store);
        if (flags.json) {
          console.log(JSON.stringify(list));
          return;
        }
        if (list.length === 0) console.log("no accounts yet: `cxrlab users add --email …` makes one");
        for (const user of list) {
          const roles = user.memberships.map((m) => `${m.project}:${m.role}`).join(", ") || "no project";
          const flagsText = [
            ...(user.disabledAt ? ["  (disabled)"] : []),
            ...(user.mustChangePassword ? ["  (one-time password)"] : []),
          ].join("");
          console.log(`${user.email.padEnd(32)} ${user.name.padEnd(20)} ${roles}${flagsText}`);
        }
      });
    });
}

function printOneTimePassword({ password }: CreatedUser): void {
  console.log(`one-time password: ${password}`);
  console.log(
    `(shown once; it must be changed at the first sign-in, within ${ONE_TIME_PASSWORD_HOURS} hours)`,
  );
}
