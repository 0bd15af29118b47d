import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";

/** Executable names of Chromium and Chrome on Linux and macOS package managers' PATHs. */
const NAMES = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];

/**
 * A Chromium or Chrome executable: `$CHROMIUM_PATH` when set, else the first of the usual names on PATH; null
 * when there is none. Nothing is downloaded: tests that need a browser skip, saying so, where this is null.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env.CHROMIUM_PATH;
  if (given) return isExecutable(given) ? given : null;
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    for (const name of NAMES) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * For a test that needs a browser: the executable, or the test is skipped (vitest's `ctx.skip`) with a note that
 * is also printed, so a CI log shows what did not run and why.
 */
export function chromiumOrSkip(ctx: { skip(note?: string): never }, env: NodeJS.ProcessEnv = process.env): string {
  const found = findChromium(env);
  if (found !== null) return found;
  const note = "Chromium is not installed (`apt-get install chromium`, or set CHROMIUM_PATH): the page was not loaded in a browser";
  process.stderr.write(`skipped: ${note}\n`);
  return ctx.skip(note);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Evaluated in the page; a string, because this package is compiled without the DOM's types.
const IN_PAGE = `({
  title: document.title,
  images: Array.from(document.images, (i) => ({ src: i.getAttribute("src") ?? "", complete: i.complete, width: i.naturalWidth, height: i.naturalHeight })),
  svgs: document.querySelectorAll("svg").length,
  canvases: document.querySelectorAll("canvas").length,
})`;

export interface PageReport {
  title: string;
  /** console.error messages, uncaught exceptions, failed requests (a missing image) and HTTP errors, in order. */
  errors: string[];
  /** Every <img> after the load event: `complete` with a natural size above 0 means it decoded. */
  images: { src: string; complete: boolean; width: number; height: number }[];
  svgs: number;
  canvases: number;
}

/**
 * Opens a local HTML file in headless Chromium (playwright-core driving the given executable over the DevTools
 * protocol), waits for the load event, and reports what went wrong on the way and what the page holds.
 */
export async function loadInChromium(file: string, executablePath: string, timeoutMs = 30_000): Promise<PageReport> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath, headless: true, timeout: timeoutMs });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && errors.push(`console.error: ${m.text()}`)));
    page.on("pageerror", (e) => void errors.push(`uncaught: ${e.message}`));
    page.on("requestfailed", (r) => void errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? "?"})`));
    page.on("response", (r) => void (r.status() >= 400 && errors.push(`HTTP ${r.status()}: ${r.url()}`)));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load", timeout: timeoutMs });
    const found = await page.evaluate<Omit<PageReport, "errors">>(IN_PAGE);
    return { ...found, errors };
  } finally {
    await browser.close();
  }
}
