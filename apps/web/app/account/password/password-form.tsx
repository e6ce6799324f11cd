"use client";

import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { accountsFailure, readRefusal } from "../../../src/accounts-failure.ts";
import { useTRPC } from "../../../src/trpc/client.tsx";

/** What the accounts library's change-password endpoint answers, in words for the form. */
async function changeError(response: Response | null): Promise<string | null> {
  if (!response) return "The server did not answer; try again.";
  if (response.ok) return null;
  const refusal = await readRefusal(response);
  if (refusal.code === "INVALID_PASSWORD") return "The current password is wrong.";
  if (refusal.status === 401) return "Your session has ended: sign in again.";
  return accountsFailure(refusal, { action: "password change", origin: window.location.origin });
}

/**
 * Changes the password through the accounts library (it answers the browser directly, replacing the
 * session cookie and signing out other sessions), then clears the account's one-time-password flag.
 */
export function PasswordForm({ minLength, email, next }: { minLength: number; email: string; next: string }) {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const changed = useMutation(trpc.account.passwordChanged.mutationOptions());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const currentPassword = String(form.get("currentPassword") ?? "");
    const newPassword = String(form.get("newPassword") ?? "");
    if (newPassword.length < minLength) return setError(`Use at least ${minLength} characters.`);
    if (newPassword !== form.get("confirmPassword")) return setError("The two new passwords differ.");
    if (newPassword === currentPassword) return setError("Choose a password other than the current one.");
    setBusy(true);
    setError(null);
    const response = await fetch("/api/auth/change-password", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ currentPassword, newPassword, revokeOtherSessions: true }),
    }).catch(() => null);
    const failure = await changeError(response);
    if (failure) {
      setBusy(false);
      return setError(failure);
    }
    try {
      await changed.mutateAsync();
    } catch (err) {
      setBusy(false);
      return setError(`The password was changed, but: ${(err as Error).message}`);
    }
    // A full navigation, so every server component renders with the new session.
    window.location.assign(next);
  }

  return (
    <form onSubmit={submit} className="stack" data-testid="password-form">
      {/* Lets password managers file the new password under the right account. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <label>
        Current password
        <input name="currentPassword" type="password" autoComplete="current-password" required />
      </label>
      <label>
        New password
        <input
          name="newPassword"
          type="password"
          autoComplete="new-password"
          minLength={minLength}
          required
        />
      </label>
      <label>
        New password again
        <input
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          minLength={minLength}
          required
        />
      </label>
      {error ? (
        <p role="alert" className="error" data-testid="password-error">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save password"}
      </button>
    </form>
  );
}
