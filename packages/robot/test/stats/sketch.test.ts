import { describe, expect, it } from "vitest";
import { Rng } from "@cotrain/core";
import { QuantileSketch } from "@cotrain/robot";
import { exactQuantile } from "./exact.js";

const rng = Rng.from(17, "sketch-test");
const distributions: Record<string, number[]> = {
  normal: Array.from({ length: 20000 }, () => rng.normal() * 0.3 + 0.05),
  "uniform ±": Array.from({ length: 20000 }, () => rng.uniform(-2, 2)),
  "heavy tail": Array.from({ length: 20000 }, () => Math.exp(rng.normal() * 3) * (rng.float() < 0.5 ? -1 : 1)),
  "tiny near zero": Array.from({ length: 20000 }, () => rng.normal() * 1e-5),
  gripper: Array.from({ length: 20000 }, () => (rng.float() < 0.6 ? 1 : 0)),
  constant: new Array(500).fill(-0.25),
};

describe("QuantileSketch (log buckets, relative error α)", () => {
  for (const [name, values] of Object.entries(distributions)) {
    it(`${name}: q01, q50 and q99 are within α·|x| (or minMagnitude) of numpy's exact quantile`, () => {
      const sketch = new QuantileSketch({ relativeAccuracy: 0.005, minMagnitude: 1e-6 });
      for (const v of values) sketch.add(v);
      for (const q of [0, 0.01, 0.5, 0.99, 1]) {
        const exact = exactQuantile(values, q);
        const bound = Math.max(0.005 * Math.max(Math.abs(exact.lo), Math.abs(exact.hi)), 1e-6) * (1 + 1e-9);
        expect(Math.abs(sketch.quantile(q) - exact.value)).toBeLessThanOrEqual(bound);
      }
    });
  }

  it("does not depend on input order, and its memory does not grow with the count", () => {
    const values = distributions.normal!;
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    values.forEach((v) => a.add(v));
    [...values].reverse().forEach((v) => b.add(v));
    expect(b.quantile(0.01)).toBe(a.quantile(0.01));
    expect(b.quantile(0.99)).toBe(a.quantile(0.99));
    const before = a.buckets;
    for (let i = 0; i < 5; i++) values.forEach((v) => a.add(v));
    expect(a.count).toBe(values.length * 6);
    expect(a.buckets).toBeLessThanOrEqual(before + 20);
    expect(a.buckets).toBeLessThan(2000);
  });

  it("rejects bad input", () => {
    expect(() => new QuantileSketch().add(Number.NaN)).toThrow(RangeError);
    expect(() => new QuantileSketch({ relativeAccuracy: 1 })).toThrow(RangeError);
    expect(new QuantileSketch().quantile(0.5)).toBeNaN();
  });
});
