/**
 * What the browser tests use: the fixture store (filled by real CLI runs in global-setup.ts), the
 * built dashboard started through `cxrlab serve`, and headless Chromium pages that record console
 * errors and failed requests.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { getAuth } from "@cxrlab/api/auth";
import { sharedPaths } from "@cxrlab/core/paths";
import { openStore, type Store } from "@cxrlab/db";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { adminOfEverything, type TestAccount, testAccount } from "../api/accounts.ts";
import { CLI, ROOT } from "../helpers.ts";
import { type BrowserFixture, copyDatabase } from "./fixture.ts";

export type { BrowserFixture, FixtureRun } from "./fixture.ts";
export { type TestAccount, testAccount };

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOT_DIR = path.join(ROOT, "test-artifacts", "screenshots");
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 15_000;

/** The store filled by the demo runs, shared by every browser test file of this vitest run. */
export function fixture(): BrowserFixture {
  const value = inject("browserFixture");
  if (!value) throw new Error("no browser fixture: run browser tests through vitest's browser project");
  return value;
}

/**
 * A private copy of the fixture store for a test file that writes to it (creates or deletes runs),
 * so that files running beside it keep seeing the fixture as trained. Deleted after the file.
 */
export function privateDatabase(): string {
  const { databaseUrl, dir } = copyDatabase(fixture().pristineDatabase);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return databaseUrl;
}

export interface Dashboard {
  /** Set by the time tests run (beforeAll). */
  app: RunningApp;
  browser: Browser;
  /** The same store the app serves, to read what the pages should show. */
  store: Store;
  /** An admin of every project of the store, made for this file. */
  admin: TestAccount;
  /** A page signed in as `account` (default: the admin; null: nobody). */
  openPage(options: { width: Width; account?: TestAccount | null }): Promise<OpenedPage>;
}

/**
 * Registers beforeAll/afterAll that start the app on `databaseUrl` (default: the shared fixture
 * store) through `cxrlab serve`, launch Chromium and open the store; returns the object they fill.
 */
export function useDashboard(options: { databaseUrl?: string; runId?: number } = {}): Dashboard {
  const databaseUrl = options.databaseUrl ?? fixture().databaseUrl;
  const dashboard = {} as Dashboard;
  beforeAll(async () => {
    [dashboard.app, dashboard.browser, dashboard.store] = await Promise.all([
      startApp(databaseUrl, options.runId !== undefined ? { runId: options.runId } : {}),
      launchBrowser(),
      openStore(databaseUrl),
    ]);
    dashboard.admin = await adminOfEverything(dashboard.store);
    dashboard.openPage = async ({ width, account }) => {
      const opened = await openPage(dashboard.browser, { width });
      if (account !== null)
        await addSession(opened.context, dashboard.store, dashboard.app.baseUrl, account ?? dashboard.admin);
      return opened;
    };
  });
  afterAll(async () => {
    await Promise.all([dashboard.browser?.close(), dashboard.app?.stop(), dashboard.store?.close()]);
  });
  return dashboard;
}

export interface ServeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  forced: boolean;
}

export interface RunningApp {
  /** The origin of `url`, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** The URL the command printed: baseUrl, or a run's page (serve --run, the demo). */
  url: string;
  port: number;
  /** Everything the server printed so far on stderr (serve's and Next's logs). */
  logs(): string;
  /** What it printed on stdout so far. */
  stdout(): string;
  /**
   * Stops the server: SIGTERM to `cxrlab serve`, which passes it on to Next; after 15 s, SIGKILL to
   * both (`forced`). Safe to call twice.
   */
  stop(): Promise<ServeExit>;
}

/** Starts the built dashboard on `databaseUrl` with `cxrlab serve --port <free port>` and waits until it answers. */
export async function startApp(databaseUrl: string, options: { runId?: number } = {}): Promise<RunningApp> {
  const args = ["serve", "--port", String(await freePort()), "--json"];
  if (options.runId !== undefined) args.push("--run", String(options.runId));
  // serve prints one JSON line on stdout once the dashboard answers. Runs queued from the
  // dashboard may read the shared data folder (the bundled sample's), and nothing else.
  const env = { DATABASE_URL: databaseUrl, CXRLAB_DATA_ROOTS: path.dirname(sharedPaths.sample()) };
  return startServing(args, env, (stdout) => {
    const end = stdout.indexOf("\n");
    return end < 0 ? undefined : (JSON.parse(stdout.slice(0, end)) as { url: string }).url;
  });
}

/** The line `cxrlab serve` (and the demo) print for people once the dashboard answers. */
export const PRINTED_URL = /^CXR Lab dashboard: (\S+)$/m;

/**
 * Runs `cxrlab args…` that ends up serving the dashboard (serve, demo), as a user would, and waits
 * until `printedUrl` finds the address in what it printed on stdout; that address is the app's.
 */
export async function startServing(
  args: string[],
  env: NodeJS.ProcessEnv,
  printedUrl: (stdout: string) => string | undefined = (stdout) => PRINTED_URL.exec(stdout)?.[1],
  timeoutMs = START_TIMEOUT_MS,
): Promise<RunningApp> {
  // Its own process group, so that a stuck server can be killed together with the Next child.
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const killGroup = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  // A test file that dies without its afterAll must not leave a server behind.
  process.once("exit", killGroup);
  let logs = "";
  let stdout = "";
  child.stderr!.on("data", (d) => {
    logs += d;
  });
  const exited = new Promise<Omit<ServeExit, "forced">>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`cxrlab ${args[0]} did not answer within ${timeoutMs / 1000} s:\n${logs}`));
    }, timeoutMs);
    child.stdout!.on("data", (d) => {
      stdout += d;
      const found = printedUrl(stdout);
      if (found === undefined) return;
      clearTimeout(timer);
      resolve(found);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`cxrlab ${args[0]} stopped (${signal ?? `exit ${code}`}) before it answered:\n${logs}`),
      );
    });
  });
  return {
    baseUrl: new URL(url).origin,
    url,
    port: Number(new URL(url).port),
    logs: () => logs,
    stdout: () => stdout,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      let forced = false;
      const timer = setTimeout(() => {
        forced = true;
        killGroup();
      }, STOP_TIMEOUT_MS);
      const how = await exited;
      clearTimeout(timer);
      process.off("exit", killGroup);
      return { ...how, forced };
    },
  };
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Headless Chromium from the system (.ci/run installs it). Playwright gives it a fresh temporary
 * --user-data-dir (and deletes it on close); it rejects one passed in `args`.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** console.error messages and uncaught exceptions, in order. */
  consoleErrors: string[];
  /** Responses with status >= 400 and requests that failed outright (cancelled ones excepted). */
  failedRequests: string[];
  close(): Promise<void>;
}

/** Desktop (1280 px) or phone (390 px, touch) viewport. */
export type Width = 1280 | 390;
const HEIGHTS: Record<Width, number> = { 1280: 800, 390: 844 };

/** A page in a fresh context (no shared cookies or cache) at `width`, recording what goes wrong. */
export async function openPage(browser: Browser, { width }: { width: Width }): Promise<OpenedPage> {
  const phone = width < 600;
  const context = await browser.newContext({
    viewport: { width, height: HEIGHTS[width] },
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "failed";
    // Navigation cancels in-flight prefetches and image loads; that is not an error.
    if (reason !== "net::ERR_ABORTED") failedRequests.push(`${reason} ${request.url()}`);
  });
  return { page, context, consoleErrors, failedRequests, close: () => context.close() };
}

/**
 * Signs `account` in for every page of `context`: the session is made by the accounts library on
 * the server side (as the sign-in form would, without the form's rate limit) and its cookie set.
 */
export async function addSession(
  context: BrowserContext,
  store: Store,
  baseUrl: string,
  account: TestAccount,
): Promise<void> {
  const { headers } = await getAuth(store).api.signInEmail({
    body: { email: account.email, password: account.password },
    returnHeaders: true,
  });
  const cookies = headers.getSetCookie().map((line) => {
    const [pair = ""] = line.split(";");
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl };
  });
  if (!cookies.length) throw new Error(`signing ${account.email} in set no cookie`);
  await context.addCookies(cookies);
}

/** Signs in through the sign-in page, as a person would; ends on the page it sends them to. */
export async function signIn(
  page: Page,
  baseUrl: string,
  account: Pick<TestAccount, "email" | "password">,
  next = "/runs",
): Promise<void> {
  await page.goto(`${baseUrl}/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === next.split("?")[0]);
}

/** How many CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  // Against the viewport asked for: under mobile emulation the layout viewport (innerWidth) grows
  // to fit wide content, so comparing with it would hide the overflow.
  const width = page.viewportSize()?.width ?? 0;
  // A string, because this file is compiled without the DOM's types.
  return page.evaluate<number>(`Math.max(0, document.documentElement.scrollWidth - ${width})`);
}

/** Full-page PNG kept as a test artifact: test-artifacts/screenshots/<name>.png. Returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, "-")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
