"use client";

import type { RouterInputs } from "@cxrlab/api";
import type { PresetName } from "@cxrlab/core/presets";
import type { OverrideName } from "@cxrlab/core/train-overrides";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ProjectSelect } from "../../../src/components/project-select.tsx";
import { useTRPC } from "../../../src/trpc/client.tsx";

type CreateRunInput = RouterInputs["runs"]["create"];
export type PresetDefaults = Record<PresetName, Record<OverrideName, unknown>>;

/** The overrides the form offers, in the order shown; the server checks them against the config schema. */
const OVERRIDES = [
  { name: "epochs", label: "Epochs" },
  { name: "batchSize", label: "Batch size" },
  { name: "lr", label: "Learning rate" },
  { name: "freezeUntil", label: "Freeze until layer", hint: "0 fine-tunes all; all freezes the backbone" },
  { name: "imageSize", label: "Image size (px)" },
  { name: "seed", label: "Seed" },
  { name: "views", label: "Augmented views" },
] as const satisfies readonly { name: OverrideName & keyof CreateRunInput; label: string; hint?: string }[];

/** A typed number field's value: left out when empty; NaN for text that is no number, which the server refuses by name. */
function numberField(form: FormData, name: string): number | undefined {
  const text = String(form.get(name) ?? "").trim();
  return text === "" ? undefined : Number(text);
}

function textField(form: FormData, name: string): string | undefined {
  const text = String(form.get(name) ?? "").trim();
  return text === "" ? undefined : text;
}

/** Comma-separated tags; left out when there are none. */
function tagsField(form: FormData, name: string): string[] | undefined {
  const tags = String(form.get(name) ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  return tags.length > 0 ? [...new Set(tags)] : undefined;
}

function readInput(form: FormData): CreateRunInput {
  const freeze = textField(form, "freezeUntil");
  const values: CreateRunInput = {
    projectId: Number(form.get("projectId")),
    preset: String(form.get("preset")),
    name: textField(form, "name"),
    data: textField(form, "data"),
    dataset: textField(form, "dataset"),
    test: textField(form, "test"),
    epochs: numberField(form, "epochs"),
    batchSize: numberField(form, "batchSize"),
    lr: numberField(form, "lr"),
    freezeUntil: freeze === undefined || freeze === "all" ? freeze : Number(freeze),
    imageSize: numberField(form, "imageSize"),
    seed: numberField(form, "seed"),
    views: numberField(form, "views"),
    limitPerClass: numberField(form, "limitPerClass"),
    tag: tagsField(form, "tag"),
  };
  // Fields left empty keep the preset's value: they are not sent at all.
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as CreateRunInput;
}

function FieldError({ name, errors }: { name: string; errors: Record<string, string[] | undefined> }) {
  const messages = errors[name];
  if (!messages?.length) return null;
  return (
    <span className="field-error" role="alert" data-testid={`error-${name}`}>
      {messages.join("; ")}
    </span>
  );
}

/** Queues a training run: creates it (status queued) and sends its job to the workers, then opens its page. */
export function NewRunForm({
  projects,
  datasets,
  presets,
}: {
  projects: { id: number; name: string }[];
  /** The dataset versions of those projects, to train on instead of a folder. */
  datasets: { projectId: number; project: string; ref: string; images: number }[];
  presets: PresetDefaults;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [preset, setPreset] = useState<PresetName>("recommended");
  const create = useMutation(
    trpc.runs.create.mutationOptions({ onSuccess: ({ runId }) => router.push(`/runs/${runId}`) }),
  );
  const fieldErrors: Record<string, string[] | undefined> = create.error?.data?.zodError?.fieldErrors ?? {};
  const defaults = presets[preset];

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(readInput(new FormData(event.currentTarget)));
  }

  return (
    <form className="run-form" onSubmit={submit} noValidate data-testid="new-run-form">
      <div className="run-form-grid">
        <label className="field">
          Project
          <ProjectSelect name="projectId" projects={projects} testId="field-projectId" />
          <FieldError name="projectId" errors={fieldErrors} />
        </label>
        <label className="field">
          Preset
          <select
            name="preset"
            value={preset}
            onChange={(e) => setPreset(e.target.value as PresetName)}
            data-testid="field-preset"
          >
            {Object.keys(presets).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          <FieldError name="preset" errors={fieldErrors} />
        </label>
        <label className="field">
          Name
          <input type="text" name="name" placeholder={String(defaults.name)} data-testid="field-name" />
          <FieldError name="name" errors={fieldErrors} />
        </label>
        <label className="field">
          Tags (comma-separated)
          <input type="text" name="tag" placeholder="baseline, sweep" data-testid="field-tag" />
          <FieldError name="tag" errors={fieldErrors} />
        </label>
      </div>
      <div className="run-form-grid wide">
        <label className="field">
          Training images (folder as the workers see it, one sub-folder per class)
          <input type="text" name="data" placeholder="/shared/cxr/Train" data-testid="field-data" />
          <FieldError name="data" errors={fieldErrors} />
        </label>
        <label className="field">
          …or a dataset version of the project (split by patient)
          <select name="dataset" defaultValue="" data-testid="field-dataset">
            <option value="">none: the folder above</option>
            {datasets.map((d) => (
              <option key={`${d.projectId}:${d.ref}`} value={d.ref}>
                {d.ref} ({d.project}, {d.images} images)
              </option>
            ))}
          </select>
          <FieldError name="dataset" errors={fieldErrors} />
        </label>
        <label className="field">
          Test images (optional; default: a held-out part of the training folder)
          <input type="text" name="test" placeholder="/shared/cxr/Test" data-testid="field-test" />
          <FieldError name="test" errors={fieldErrors} />
        </label>
      </div>
      <fieldset className="run-form-grid">
        <legend className="run-form-legend">Overrides (empty: the preset&apos;s value, shown greyed)</legend>
        {OVERRIDES.map((field) => (
          <label key={field.name} className="field">
            {field.label}
            <input
              type="text"
              inputMode={field.name === "freezeUntil" ? "text" : "decimal"}
              name={field.name}
              placeholder={String(defaults[field.name])}
              title={"hint" in field ? field.hint : undefined}
              data-testid={`field-${field.name}`}
            />
            <FieldError name={field.name} errors={fieldErrors} />
          </label>
        ))}
        <label className="field">
          Images per class (smoke runs)
          <input
            type="text"
            inputMode="numeric"
            name="limitPerClass"
            placeholder="all"
            data-testid="field-limitPerClass"
          />
          <FieldError name="limitPerClass" errors={fieldErrors} />
        </label>
      </fieldset>
      {create.error && (
        <p className="error-box" role="alert" data-testid="form-error">
          {Object.keys(fieldErrors).length > 0 ? "Check the fields marked above." : create.error.message}
        </p>
      )}
      <div className="toolbar">
        <button
          type="submit"
          className="primary"
          disabled={create.isPending || create.isSuccess}
          data-testid="queue-run"
        >
          {create.isPending || create.isSuccess ? "Queueing…" : "Queue run"}
        </button>
      </div>
    </form>
  );
}
