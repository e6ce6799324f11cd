import { describe, expect, it } from "vitest";
import { retryWhenBusy } from "./retry.ts";

const busy = () =>
  Object.assign(new Error("Socket timeout"), {
    code: "P1008",
    meta: { driverAdapterError: { cause: { kind: "SocketTimeout", originalCode: "SQLITE_BUSY" } } },
  });

describe("retryWhenBusy", () => {
  it("retries SQLITE_BUSY until the work succeeds", async () => {
    let calls = 0;
    const result = await retryWhenBusy(async () => {
      calls++;
      if (calls < 3) throw busy();
      return "done";
    });
    expect(result).toBe("done");
    expect(calls).toBe(3);
  });

  it("gives up after the last attempt", async () => {
    let calls = 0;
    const failing = retryWhenBusy(async () => {
      calls++;
      throw busy();
    }, 2);
    await expect(failing).rejects.toThrow("Socket timeout");
    expect(calls).toBe(2);
  });

  it("rethrows other errors at once", async () => {
    let calls = 0;
    const failing = retryWhenBusy(async () => {
      calls++;
      throw Object.assign(new Error("Unique constraint failed"), { code: "P2002" });
    });
    await expect(failing).rejects.toThrow("Unique constraint");
    expect(calls).toBe(1);
  });
});
