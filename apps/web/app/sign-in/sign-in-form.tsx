"use client";

import { type FormEvent, useState } from "react";
import { accountsFailure, readRefusal } from "../../src/accounts-failure.ts";

/** Posts the credentials to the accounts library; it sets the session cookie. */
export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const response = await fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: form.get("email"), password: form.get("password") }),
    }).catch(() => null);
    setBusy(false);
    if (!response) return setError("The server did not answer; try again.");
    if (!response.ok) {
      const refusal = await readRefusal(response);
      // The library answers 401 for a wrong email and a wrong password alike, and so do we.
      if (refusal.status === 401) return setError("Wrong email or password.");
      return setError(accountsFailure(refusal, { action: "sign-in", origin: window.location.origin }));
    }
    const { user } = (await response.json()) as { user?: { mustChangePassword?: boolean } };
    // A full navigation, so that every server component renders with the new session.
    window.location.assign(
      user?.mustChangePassword ? `/account/password?next=${encodeURIComponent(next)}` : next,
    );
  }

  return (
    <form onSubmit={submit} className="stack" data-testid="sign-in-form">
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error ? (
        <p role="alert" className="error" data-testid="sign-in-error">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
