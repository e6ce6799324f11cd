import { ROLES } from "@cxrlab/validators/roles";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { idParam, orErrorPage } from "../../../../src/error-page.ts";
import { day } from "../../../../src/format.ts";
import { getCaller } from "../../../../src/trpc/server.ts";
import { AddMemberForm, MemberRoleSelect, RemoveMemberButton } from "./member-actions.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ id: string }> }) {
  const projectId = idParam((await params).id);
  const caller = await getCaller();
  const [members, projects] = await Promise.all([
    orErrorPage(caller.projects.members({ projectId })),
    caller.projects.list(),
  ]);
  const project = projects.find((p) => p.id === projectId);
  if (!project) notFound();
  const admin = project.role === "admin";
  return (
    <>
      <div className="crumbs">
        <Link href="/projects">Projects</Link> / {project.name}
      </div>
      <div className="page-head">
        <h1>Members of {project.name}</h1>
        <span className="muted">
          {members.length} member{members.length === 1 ? "" : "s"}; your role: {project.role}
        </span>
      </div>
      {admin && <AddMemberForm projectId={projectId} roles={ROLES} />}
      <div className="table-scroll">
        <table data-testid="members-table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Member since</th>
              {admin && <th />}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId} data-testid="member-row" data-email={m.email}>
                <td>{m.email}</td>
                <td>{m.name}</td>
                <td data-testid="member-role">
                  {admin ? (
                    <MemberRoleSelect projectId={projectId} email={m.email} role={m.role} roles={ROLES} />
                  ) : (
                    m.role
                  )}
                </td>
                <td className="nowrap">{day(m.since)}</td>
                {admin && (
                  <td>
                    <RemoveMemberButton projectId={projectId} userId={m.userId} email={m.email} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!admin && <p className="muted">Only the project's admins can change its members.</p>}
    </>
  );
}
