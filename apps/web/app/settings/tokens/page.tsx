import type { Metadata } from "next";
import { dateTime } from "../../../src/format.ts";
import { getCaller } from "../../../src/trpc/server.ts";
import { CreateTokenForm, RevokeTokenButton } from "./token-actions.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API tokens" };

function tokenState(token: { revokedAt: Date | null; expiresAt: Date | null }): string {
  if (token.revokedAt) return `revoked ${dateTime(token.revokedAt)}`;
  if (token.expiresAt && token.expiresAt.getTime() <= Date.now())
    return `expired ${dateTime(token.expiresAt)}`;
  return token.expiresAt ? `active until ${dateTime(token.expiresAt)}` : "active";
}

export default async function TokensPage() {
  const caller = await getCaller();
  const tokens = await caller.tokens.list();
  return (
    <>
      <div className="page-head">
        <h1>API tokens</h1>
        <span className="muted">
          for the CLI (`cxrlab login --token …`) and trainers; they act as you, expire (90 days unless you
          choose), and are revoked when you change your password or sign out everywhere
        </span>
      </div>
      <CreateTokenForm />
      <div className="table-scroll">
        <table data-testid="tokens-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Token</th>
              <th>Created</th>
              <th>Last used</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-testid="token-row" data-token-id={t.id}>
                <td data-testid="token-name">{t.name}</td>
                <td className="nowrap">
                  <code>cxr_{t.prefix}…</code>
                </td>
                <td className="nowrap">{dateTime(t.createdAt)}</td>
                <td className="nowrap">{t.lastUsedAt ? dateTime(t.lastUsedAt) : "never"}</td>
                <td data-testid="token-state">{tokenState(t)}</td>
                <td>{t.revokedAt ? null : <RevokeTokenButton id={t.id} name={t.name} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {tokens.length === 0 && <p className="empty">No API tokens yet.</p>}
      </div>
    </>
  );
}
