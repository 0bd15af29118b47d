import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { runReadmeExample } from "@cotrain/test-utils";

describe("README example", () => {
  it("runs the resume check and catches the error", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../README.md", import.meta.url)));
    expect(mod.report).toEqual({ total: 3, checked: [0, 1, 2, 3] });
    expect(String(mod.error)).toMatch(/state\.offset/);
  });
});
