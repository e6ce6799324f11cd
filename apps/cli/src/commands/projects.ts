import {
  appendAuditEvent,
  ensureProject,
  listAllProjects,
  projectMembers,
  setMember,
  withStore,
} from "@cxrlab/db";
import { ROLES, type Role } from "@cxrlab/validators/roles";
import { type Command, Option } from "commander";
import { cliActor } from "../cli-audit.ts";

export function registerProjectsCommand(program: Command): void {
  const projects = program
    .command("projects")
    .description("projects and their members (acts on the store directly)");

  projects
    .command("list")
    .description("every project with its admins and member count")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      await withStore(async (store) => {
        const list = await Promise.all(
          (await listAllProjects(store)).map(async (project) => ({
            ...project,
            admins: (await projectMembers(store, project.id))
              .filter((m) => m.role === "admin")
              .map((m) => m.email),
          })),
        );
        if (flags.json) {
          console.log(JSON.stringify(list));
          return;
        }
        if (list.length === 0) console.log("no projects yet");
        for (const p of list) {
          const admins = p.admins.length ? `admins: ${p.admins.join(", ")}` : "no admin";
          console.log(
            `${String(p.id).padStart(4)}  ${p.name.padEnd(24)} ${String(p.memberCount).padStart(3)} members  ${admins}`,
          );
        }
      });
    });

  projects
    .command("add-member")
    .description("give an account a role in a project (created on first use), or change its role")
    .requiredOption("--project <name>", "project name")
    .requiredOption("--email <email>", "the account (`cxrlab users add` makes one)")
    .addOption(new Option("--role <role>", "its role there").choices(ROLES).makeOptionMandatory())
    .option("--json", "print the membership as JSON")
    .action(async (flags: { project: string; email: string; role: Role; json?: boolean }) => {
      await withStore(async (store) => {
        const project = await ensureProject(store, flags.project);
        const before = (await projectMembers(store, project.id)).find(
          (m) => m.email === flags.email.trim().toLowerCase(),
        );
        const member = await setMember(store, project.id, flags.email, flags.role);
        await appendAuditEvent(store, {
          ...cliActor(),
          action: "member.set",
          targetType: "user",
          targetId: member.userId,
          projectId: project.id,
          details: { email: member.email, role: member.role, previousRole: before?.role ?? null },
        });
        if (flags.json) {
          console.log(JSON.stringify({ project: { id: project.id, name: flags.project.trim() }, ...member }));
          return;
        }
        if (project.created) console.log(`created project ${flags.project.trim()}`);
        const change = before ? `changed from ${before.role} to` : "added as";
        console.log(`${member.email} ${change} ${member.role} of ${flags.project.trim()}`);
      });
    });
}
