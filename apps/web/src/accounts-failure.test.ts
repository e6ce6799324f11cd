import { describe, expect, it } from "vitest";
import { accountsFailure, readRefusal } from "./accounts-failure.ts";

const at = { action: "sign-in", origin: "http://127.0.0.1:3000" };

describe("accounts refusals in words", () => {
  it("reads the status, the library's code and message and the retry delay", async () => {
    const response = new Response(JSON.stringify({ code: "INVALID_ORIGIN", message: "Invalid origin" }), {
      status: 403,
    });
    expect(await readRefusal(response)).toEqual({
      status: 403,
      code: "INVALID_ORIGIN",
      retryAfter: undefined,
      message: "Invalid origin",
    });
    const limited = new Response("", { status: 429, headers: { "X-Retry-After": "42" } });
    expect(await readRefusal(limited)).toEqual({
      status: 429,
      code: undefined,
      retryAfter: 42,
      message: undefined,
    });
  });

  it("tells when to retry after too many attempts", () => {
    const now = new Date(2026, 0, 1, 10, 0, 0);
    expect(accountsFailure({ status: 429, retryAfter: 42 }, { ...at, now })).toBe(
      "Too many attempts from this address: try again in 42 seconds (at 10:00:42).",
    );
    expect(accountsFailure({ status: 429 }, at)).toContain("wait a minute");
  });

  it("names the refused address and what to configure", () => {
    const message = accountsFailure(
      { status: 403, code: "INVALID_ORIGIN" },
      { action: "sign-in", origin: "http://10.0.0.5:3000" },
    );
    expect(message).toContain("refuses sign-in from http://10.0.0.5:3000");
    expect(message).toContain("CXRLAB_PUBLIC_URL");
  });

  it("passes on our own refusals that say what to do, not the library's wording", () => {
    const expired = accountsFailure(
      {
        status: 403,
        code: "ONE_TIME_PASSWORD_EXPIRED",
        message: "this one-time password expired: ask an admin",
      },
      at,
    );
    expect(expired).toBe("This one-time password expired: ask an admin.");
    expect(accountsFailure({ status: 403, code: "SOMETHING", message: "internal words" }, at)).not.toContain(
      "internal words",
    );
  });

  it("reports a server error as the server's, and anything else by its status", () => {
    expect(accountsFailure({ status: 503 }, at)).toBe(
      "The server failed (error 503) during sign-in. Try again; if it persists, the dashboard's log says why.",
    );
    expect(accountsFailure({ status: 400, code: "SOMETHING" }, at)).toBe(
      "The sign-in was refused (400 SOMETHING).",
    );
  });
});
