import { MIN_PASSWORD_LENGTH } from "@cxrlab/api/auth";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeNext } from "../../../src/links.ts";
import { first, type SearchParams } from "../../../src/search-params.ts";
import { getViewer } from "../../../src/trpc/server.ts";
import { PasswordForm } from "./password-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Change password" };

/** Where an account on its one-time password lands after signing in, and anyone's password change. */
export default async function PasswordPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  // Where the password change continues to: the page the person was on their way to when asked.
  const next = safeNext(first(await searchParams, "next"));
  // Not getCaller(): it sends an account that must change its password here, which would loop.
  const viewer = await getViewer();
  if (!viewer) redirect("/sign-in?next=/account/password");
  return (
    <section className="panel sign-in" data-testid="password-page">
      <h1>{viewer.mustChangePassword ? "Choose your password" : "Change password"}</h1>
      {viewer.mustChangePassword ? (
        <p data-testid="must-change-password">
          You signed in with a one-time password. Choose your own before you go on; your other sessions are
          signed out.
        </p>
      ) : null}
      <p className="muted" data-testid="password-change-revokes">
        Changing your password signs out your other sessions and revokes your API tokens (`cxrlab login` again
        afterwards).
      </p>
      <PasswordForm minLength={MIN_PASSWORD_LENGTH} email={viewer.email} next={next} />
    </section>
  );
}
