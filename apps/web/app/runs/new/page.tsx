import { PRESET_NAMES, resolveConfig } from "@cxrlab/core/presets";
import { overrideValues } from "@cxrlab/core/train-overrides";
import { roleCan } from "@cxrlab/validators/roles";
import type { Metadata } from "next";
import Link from "next/link";
import { getCaller } from "../../../src/trpc/server.ts";
import { NewRunForm, type PresetDefaults } from "./new-run-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New run" };

export default async function NewRunPage() {
  const caller = await getCaller();
  const projects = (await caller.projects.list()).filter((p) => roleCan(p.role, "runs:create"));
  const queueable = new Set(projects.map((p) => p.id));
  const datasets = (await caller.datasets.list())
    .filter((d) => queueable.has(d.projectId))
    .map(({ projectId, project, ref, images }) => ({ projectId, project, ref, images }));
  // Each preset's values of the fields the form overrides, shown as the fields' placeholders.
  const presets = Object.fromEntries(
    PRESET_NAMES.map((name) => [name, overrideValues(resolveConfig(name))]),
  ) as PresetDefaults;
  return (
    <>
      <div className="crumbs">
        <Link href="/runs">Runs</Link> / new
      </div>
      <div className="page-head">
        <h1>New run</h1>
      </div>
      {projects.length === 0 ? (
        <p className="error-box" data-testid="no-project">
          Your role does not allow queueing runs in any project; ask a project admin to make you a researcher.
        </p>
      ) : (
        <NewRunForm
          projects={projects.map(({ id, name }) => ({ id, name }))}
          datasets={datasets}
          presets={presets}
        />
      )}
    </>
  );
}
