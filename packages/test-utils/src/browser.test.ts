import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chromiumOrSkip, findChromium, loadInChromium } from "@cotrain/test-utils";


describe("loadInChromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "test-utils-browser-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds no browser where CHROMIUM_PATH names none and PATH is empty", () => {
    expect(findChromium({ PATH: "" })).toBeNull();
    expect(findChromium({ CHROMIUM_PATH: join(dir, "missing"), PATH: process.env.PATH ?? "" })).toBeNull();
  });

  it("reports console errors, uncaught exceptions and a missing image, and sees the images that loaded", async (ctx) => {
    const chromium = chromiumOrSkip(ctx);
    writeFileSync(join(dir, "red.svg"), `<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="30" height="20" fill="#c00"/></svg>`);
    const page = join(dir, "page.html");
    writeFileSync(
      page,
      `<!doctype html><html><head><meta charset="utf-8"><title>probe</title></head><body>
<img src="red.svg"><img src="missing.png"><svg width="4" height="4"></svg>
<script>console.error("something broke"); console.log("fine"); throw new Error("boom");</script></body></html>`,
    );
    const report = await loadInChromium(page, chromium);
    expect(report.title).toBe("probe");
    expect(report.images).toEqual([
      { src: "red.svg", complete: true, width: 30, height: 20 },
      { src: "missing.png", complete: true, width: 0, height: 0 },
    ]);
    expect(report.svgs).toBe(1);
    expect(report.errors.some((e) => e === "console.error: something broke")).toBe(true);
    expect(report.errors.some((e) => e.startsWith("uncaught: boom"))).toBe(true);
    expect(report.errors.some((e) => e.includes("missing.png"))).toBe(true);
    expect(report.errors.some((e) => e.includes("fine"))).toBe(false);
  });
});
