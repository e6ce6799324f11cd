/**
 * What every page test checks besides its own numbers: the page answers 200, nothing is logged to the
 * console as an error, no request fails, and at 390 px nothing but the intended scroll boxes (tables,
 * wide charts) scrolls sideways. A full-page screenshot is kept either way.
 */
import { openStore, type Store } from "@cxrlab/db";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import {
  fixture,
  horizontalOverflow,
  launchBrowser,
  openPage,
  type RunningApp,
  screenshot,
  startApp,
  type Width,
} from "./harness.ts";

export interface Dashboard {
  app: RunningApp;
  browser: Browser;
  /** The same store the app serves, to read what the pages should show. */
  store: Store;
}

/**
 * For a test file: the built app started on the fixture store, a browser and a store connection,
 * set up before its tests and shut down after them. Read the fields inside tests.
 */
export function useDashboard(): Dashboard {
  const dashboard = {} as Dashboard;
  beforeAll(async () => {
    const { databaseUrl } = fixture();
    [dashboard.app, dashboard.browser, dashboard.store] = await Promise.all([
      startApp(databaseUrl),
      launchBrowser(),
      openStore(databaseUrl),
    ]);
  });
  afterAll(async () => {
    await Promise.all([dashboard.browser?.close(), dashboard.app?.stop(), dashboard.store?.close()]);
  });
  return dashboard;
}

export const WIDTHS = [1280, 390] as const satisfies readonly Width[];

export async function onPage(
  browser: Browser,
  url: string,
  { width, name, beforeLoad }: { width: Width; name: string; beforeLoad?: (page: Page) => void },
  check: (page: Page) => Promise<void>,
): Promise<void> {
  const { page, consoleErrors, failedRequests, close } = await openPage(browser, { width });
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
