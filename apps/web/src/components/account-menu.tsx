"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

async function post(path: string): Promise<void> {
  await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
}

/** The signed-in account, with sign-out here or on every device. */
export function AccountMenu({ name, email }: { name: string; email: string }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const pathname = usePathname();
  // The layout (and so the menu) survives client-side navigation: close it on arrival.
  useEffect(() => {
    if (menu.current && pathname) menu.current.open = false;
  }, [pathname]);
  const signOut = async (everywhere: boolean) => {
    if (everywhere) await post("/api/auth/revoke-sessions");
    await post("/api/auth/sign-out");
    window.location.assign("/sign-in");
  };
  return (
    <details ref={menu} className="account-menu" data-testid="account-menu">
      <summary title={email}>{name}</summary>
      <div className="account-menu-items">
        <span className="muted">{email}</span>
        <Link href="/mentions">Mentions</Link>
        <Link href="/settings/tokens">API tokens</Link>
        <Link href="/account/password">Change password</Link>
        <button type="button" onClick={() => signOut(false)} data-testid="sign-out">
          Sign out
        </button>
        <button
          type="button"
          onClick={() => signOut(true)}
          data-testid="sign-out-everywhere"
          title="Ends every session of this account and revokes its API tokens"
        >
          Sign out everywhere
        </button>
      </div>
    </details>
  );
}
