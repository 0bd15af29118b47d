import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Rng, hashSeed } from "@cotrain/core";

describe("Rng", () => {
  it("gives the same sequence in another process (built dist, plain node)", () => {
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const script = `import("${dist}").then(({ Rng }) => { const r = Rng.from(42, "x", 3); console.log(JSON.stringify([r.uint32(), r.uint32(), r.float(), r.int(1000), Array.from(Rng.from("seed").permutation(8))])); })`;
    const other = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as unknown[];
    const r = Rng.from(42, "x", 3);
    expect(other).toEqual([r.uint32(), r.uint32(), r.float(), r.int(1000), Array.from(Rng.from("seed").permutation(8))]);
  });

  it("depends on every seed part and restores from its state", () => {
    expect(hashSeed(1)).not.toBe(hashSeed(2));
    expect(hashSeed(1)).not.toBe(hashSeed(1 + 2 ** 32));
    expect(hashSeed("a", 1)).not.toBe(hashSeed("a", 2));
    const r = Rng.from(7);
    r.uint32();
    const copy = Rng.fromState(r.state());
    expect([r.uint32(), r.uint32()]).toEqual([copy.uint32(), copy.uint32()]);
    expect(() => Rng.fromState([1, 2, 3] as never)).toThrow(TypeError);
  });

  it("derives children independent of the parent's position", () => {
    const a = Rng.from(5);
    const childBefore = a.derive("k").uint32();
    a.uint32();
    expect(a.derive("k").uint32()).not.toBe(childBefore); // derive keys on the current state…
    expect(Rng.from(5).derive("k").uint32()).toBe(childBefore); // …which is itself reproducible
  });

  it("is roughly uniform (chi-square over 16 cells, fixed seed)", () => {
    const r = Rng.from(123);
    const cells = new Array<number>(16).fill(0);
    const n = 32_000;
    for (let i = 0; i < n; i++) cells[r.int(16)]!++;
    const expected = n / 16;
    const chi2 = cells.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(37.7); // p = 0.001 for 15 degrees of freedom
    const floats = Array.from({ length: 10_000 }, () => r.float());
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...floats)).toBeLessThan(1);
    const mean = floats.reduce((s, x) => s + x, 0) / floats.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});
