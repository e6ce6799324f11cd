import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeNext } from "../../src/links.ts";
import { first, type SearchParams } from "../../src/search-params.ts";
import { getViewer } from "../../src/trpc/server.ts";
import { SignInForm } from "./sign-in-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const next = safeNext(first(await searchParams, "next"));
  if (await getViewer()) redirect(next);
  return (
    <section className="panel sign-in" data-testid="sign-in">
      <h1>Sign in to CXR Lab</h1>
      <SignInForm next={next} />
      <p className="muted">Accounts are made by a project admin (`cxrlab users add`).</p>
    </section>
  );
}
