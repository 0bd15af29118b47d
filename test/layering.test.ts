import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../packages/", import.meta.url));
const packages = readdirSync(root).map((dir) => JSON.parse(readFileSync(`${root}${dir}/package.json`, "utf8")) as { name: string; dependencies?: Record<string, string>; private?: boolean });
// The layers of DESIGN.md: a package may depend only on packages of lower layers.
const LAYER: Record<string, number> = {
  "@cotrain/core": 0,
  "@cotrain/test-utils": 1,
  "@cotrain/vision": 1,
  "@cotrain/robot": 2,
  "@cotrain/vqa": 2,
  "@cotrain/mixer": 3,
  "@cotrain/collator": 4,
  "@cotrain/trainer": 5,
  "@cotrain/synth": 5,
  "@cotrain/cli": 6,
};

describe("package graph", () => {
  it("knows every package", () => {
    expect(packages.map((p) => p.name).sort()).toEqual(Object.keys(LAYER).sort());
  });

  it("depends downward only (no cycles, no sideways imports)", () => {
    for (const p of packages) {
      for (const dep of Object.keys(p.dependencies ?? {}).filter((d) => d.startsWith("@cotrain/"))) {
        expect(LAYER[dep], `${p.name} → ${dep}`).toBeLessThan(LAYER[p.name] as number);
      }
    }
  });

  it("imports in source match the declared dependencies", () => {
    for (const p of packages) {
      const dir = `${root}${p.name.replace("@cotrain/", "")}/src`;
      const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
      const used = new Set<string>();
      for (const f of files) for (const m of readFileSync(`${dir}/${f}`, "utf8").matchAll(/from "(@cotrain\/[a-z-]+)"/g)) used.add(m[1] as string);
      used.delete(p.name);
      const declared = new Set(Object.keys(p.dependencies ?? {}));
      for (const u of used) expect(declared.has(u), `${p.name} imports ${u} without declaring it`).toBe(true);
    }
  });

  it("library code never uses Math.random (seeded determinism)", () => {
    for (const p of packages) {
      const dir = `${root}${p.name.replace("@cotrain/", "")}/src`;
      const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
      for (const f of files) expect(readFileSync(`${dir}/${f}`, "utf8").includes("Math.random("), `${dir}/${f}`).toBe(false);
    }
  });
});
