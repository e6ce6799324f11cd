/**
 * What every page test checks besides its own numbers: the page answers 200, nothing is logged to the
 * console as an error, no request fails, and at 390 px nothing but the intended scroll boxes (tables,
 * wide charts) scrolls sideways. A full-page screenshot is kept either way.
 */
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { type Dashboard, horizontalOverflow, screenshot, type Width } from "./harness.ts";

export { type Dashboard, useDashboard } from "./harness.ts";

export const WIDTHS = [1280, 390] as const satisfies readonly Width[];

/** Opens `url` signed in as the dashboard's admin, runs `check`, then the checks every page must pass. */
export async function onPage(
  dashboard: Dashboard,
  url: string,
  { width, name, beforeLoad }: { width: Width; name: string; beforeLoad?: (page: Page) => void },
  check: (page: Page) => Promise<void>,
): Promise<void> {
  const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({ width });
  try {
    // Listeners that must see the page's own first requests go on before it loads.
    beforeLoad?.(page);
    const response = await page.goto(url);
    expect(response?.status(), `GET ${url}`).toBe(200);
    await check(page);
    await page.waitForLoadState("networkidle");
    await screenshot(page, `${name}-${width}`);
    expect(await horizontalOverflow(page), `${url} scrolls sideways at ${width} px`).toBe(0);
    expect(consoleErrors, `console errors on ${url}`).toEqual([]);
    expect(failedRequests, `failed requests on ${url}`).toEqual([]);
  } finally {
    await close();
  }
}

/** The trimmed text of every element the locator matches. */
export async function texts(locator: Locator): Promise<string[]> {
  return (await locator.allTextContents()).map((t) => t.trim());
}

/** `shown` is `value` written with exactly `digits` decimals (rounded either way at a tie). */
export function expectFixed(shown: string | null, value: number, digits: number, suffix = ""): void {
  const text = (shown ?? "").trim();
  // `suffix` is "" or "%", neither special in a pattern.
  const pattern = new RegExp(`^-?\\d+\\.\\d{${digits}}${suffix}$`);
  expect(text, `"${text}" as ${digits} decimals`).toMatch(pattern);
  const number = Number.parseFloat(text);
  expect(Math.abs(number - value), `"${text}" for ${value}`).toBeLessThanOrEqual(0.5 * 10 ** -digits + 1e-12);
}

/** `shown` is the fraction `value` as a percentage with `digits` decimals, e.g. 0.95833 -> "95.83%". */
export function expectPercent(shown: string | null, value: number, digits = 2): void {
  expectFixed(shown, value * 100, digits, "%");
}
