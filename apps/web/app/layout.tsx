import { OPERATIONS, roleCan } from "@cxrlab/validators/roles";
import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { AccountMenu } from "../src/components/account-menu.tsx";
import { TRPCReactProvider } from "../src/trpc/client.tsx";
import { getMemberships, getViewer } from "../src/trpc/server.ts";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "CXR Lab", template: "%s · CXR Lab" },
  description: "Training runs, evaluations and predictions of chest X-ray classifiers",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [viewer, memberships] = await Promise.all([getViewer(), getMemberships()]);
  // Only who may read an audit log somewhere gets the link; the audit page checks again.
  const audits = memberships.some((m) => roleCan(m.role, OPERATIONS["audit.list"]));
  const reviews = memberships.some((m) => roleCan(m.role, OPERATIONS["reviews.worklist"]));
  const monitoring = memberships.some((m) => roleCan(m.role, OPERATIONS["monitoring.project"]));
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/runs" className="brand">
            CXR Lab
          </Link>
          <nav aria-label="Main" data-testid="main-nav">
            <Link href="/runs">Runs</Link>
            <Link href="/compare">Compare</Link>
            <Link href="/patients">Patients</Link>
            {reviews && <Link href="/worklist">Worklist</Link>}
            {monitoring && <Link href="/monitoring">Monitoring</Link>}
            <Link href="/projects">Projects</Link>
            {audits && <Link href="/audit">Audit</Link>}
          </nav>
          {viewer ? <AccountMenu name={viewer.name} email={viewer.email} /> : null}
        </header>
        <main className="page">
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </main>
      </body>
    </html>
  );
}
