import type { Metadata } from "next";
import Link from "next/link";
import { getCaller } from "../../src/trpc/server.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Projects" };

export default async function ProjectsPage() {
  const caller = await getCaller();
  const projects = await caller.projects.list();
  return (
    <>
      <div className="page-head">
        <h1>Projects</h1>
        <span className="muted">the projects you are a member of</span>
      </div>
      <div className="table-scroll">
        <table data-testid="projects-table">
          <thead>
            <tr>
              <th>Project</th>
              <th>Your role</th>
              <th className="num">Members</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {projects.map((p) => (
              <tr key={p.id} data-testid="project-row">
                <td>
                  {p.name}
                  {p.description && <div className="muted">{p.description}</div>}
                </td>
                <td>{p.role}</td>
                <td className="num">{p.memberCount}</td>
                <td className="nowrap">
                  <Link href={`/projects/${p.id}/members`}>Members</Link>
                  {p.role === "admin" && (
                    <>
                      {" · "}
                      <Link href={`/audit?project=${p.id}`}>Audit log</Link>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {projects.length === 0 && (
          <p className="empty">You are a member of no project yet: ask a project's admin to add you.</p>
        )}
      </div>
    </>
  );
}
