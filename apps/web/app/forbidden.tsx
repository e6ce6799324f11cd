import Link from "next/link";

/** Shown (with status 403) when the signed-in account's role does not allow a page. */
export default function Forbidden() {
  return (
    <section className="panel" data-testid="forbidden">
      <h1>Not allowed</h1>
      <p>Your role in this project does not allow this page. Ask a project admin for access.</p>
      <p>
        <Link href="/runs">Back to the runs</Link>
      </p>
    </section>
  );
}
