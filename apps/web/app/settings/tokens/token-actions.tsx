"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { MutationError } from "../../../src/components/mutation-error.tsx";
import { useTRPC } from "../../../src/trpc/client.tsx";

/** A token always expires (at most a year away); 90 days unless another is chosen. */
const EXPIRIES = [
  { days: 7, label: "in 7 days" },
  { days: 30, label: "in 30 days" },
  { days: 90, label: "in 90 days" },
  { days: 365, label: "in a year" },
];

/** Makes a token and shows it once: only its hash is kept, so it cannot be shown again. */
export function CreateTokenForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: ({ token }) => {
        setCreated(token);
        router.refresh();
      },
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const days = Number(form.get("expiresInDays"));
    create.mutate({ name: String(form.get("name") ?? ""), ...(days > 0 ? { expiresInDays: days } : {}) });
    event.currentTarget.reset();
  }
  return (
    <>
      <form className="filters" onSubmit={submit} data-testid="create-token">
        <label>
          Name
          <input
            name="name"
            required
            maxLength={100}
            placeholder="e.g. laptop"
            data-testid="token-name-input"
          />
        </label>
        <label>
          Expires
          <select name="expiresInDays" defaultValue="90">
            {EXPIRIES.map((e) => (
              <option key={e.days} value={e.days}>
                {e.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={create.isPending}>
          Create token
        </button>
        <MutationError error={create.error} />
      </form>
      {created && (
        <div className="card" role="status" data-testid="new-token">
          <p>Copy the token now: it is shown only this once.</p>
          <p>
            <code data-testid="new-token-value">{created}</code>{" "}
            {/* Copying is refused without a secure context or permission: the token stays selectable. */}
            <button
              type="button"
              onClick={() => navigator.clipboard?.writeText(created).catch(() => undefined)}
            >
              Copy
            </button>{" "}
            <button type="button" onClick={() => setCreated(null)}>
              Done
            </button>
          </p>
          <p className="muted">
            On the command line: <code>cxrlab login --server {window.location.origin} --token …</code>
          </p>
        </div>
      )}
    </>
  );
}

export function RevokeTokenButton({ id, name }: { id: number; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <span className="cancel-run">
      <button
        type="button"
        disabled={revoke.isPending}
        aria-label={`Revoke token ${name}`}
        data-testid="revoke-token"
        onClick={() => {
          if (window.confirm(`Revoke the token "${name}"? Whatever uses it stops working.`))
            revoke.mutate({ id });
        }}
      >
        Revoke
      </button>
      <MutationError error={revoke.error} />
    </span>
  );
}
