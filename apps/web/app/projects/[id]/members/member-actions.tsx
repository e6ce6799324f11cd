"use client";

import type { Role } from "@cxrlab/validators/roles";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { MutationError } from "../../../../src/components/mutation-error.tsx";
import { useTRPC } from "../../../../src/trpc/client.tsx";

/** Adds an existing account by email (accounts are made with `cxrlab users add`). */
export function AddMemberForm({ projectId, roles }: { projectId: number; roles: readonly Role[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const add = useMutation(trpc.projects.setMember.mutationOptions({ onSuccess: () => router.refresh() }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    add.mutate(
      { projectId, email: String(form.get("email") ?? ""), role: String(form.get("role")) as Role },
      { onSuccess: () => element.reset() },
    );
  }
  return (
    <form className="filters" onSubmit={submit} data-testid="add-member">
      <label>
        Email
        <input
          name="email"
          type="email"
          required
          placeholder="name@hospital.org"
          data-testid="member-email"
        />
      </label>
      <label>
        Role
        <select name="role" defaultValue="viewer" data-testid="member-role-input">
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={add.isPending}>
        Add member
      </button>
      <MutationError error={add.error} testId="member-error" />
    </form>
  );
}

export function MemberRoleSelect({
  projectId,
  email,
  role,
  roles,
}: {
  projectId: number;
  email: string;
  role: Role;
  roles: readonly Role[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const change = useMutation(trpc.projects.setMember.mutationOptions({ onSettled: () => router.refresh() }));
  return (
    <span className="cancel-run">
      <select
        // The role asked for while it is saved (and once saved); the stored one again when refused.
        value={change.isIdle || change.isError ? role : (change.variables?.role ?? role)}
        aria-label={`Role of ${email}`}
        disabled={change.isPending}
        onChange={(event) => change.mutate({ projectId, email, role: event.target.value as Role })}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <MutationError error={change.error} testId="member-error" />
    </span>
  );
}

export function RemoveMemberButton({
  projectId,
  userId,
  email,
}: {
  projectId: number;
  userId: string;
  email: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const remove = useMutation(
    trpc.projects.removeMember.mutationOptions({ onSuccess: () => router.refresh() }),
  );
  return (
    <span className="cancel-run">
      <button
        type="button"
        disabled={remove.isPending}
        aria-label={`Remove ${email}`}
        data-testid="remove-member"
        onClick={() => {
          if (window.confirm(`Remove ${email} from the project?`)) remove.mutate({ projectId, userId });
        }}
      >
        Remove
      </button>
      <MutationError error={remove.error} testId="member-error" />
    </span>
  );
}
