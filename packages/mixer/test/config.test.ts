import { describe, expect, it } from "vitest";
import { CANONICAL_SCHEMA, ConfigError, batchToRows, columnsOf, fromBatches, fromRows, makeBatch, rowsToBatch } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import { mix } from "@cotrain/mixer";
import type { MixOptions } from "@cotrain/mixer";
import { Field, Schema, Utf8 } from "apache-arrow";
import { cachedSource, drain, makeRows } from "./helpers.js";
import { webWithoutRobotColumns } from "./schemas.js";

/** A source that counts its reads, to prove that configuration errors come before any data is read. */
function spy(name: string, n = 20) {
  const inner = cachedSource(name, n, 5);
  const calls = { next: 0 };
  const source: Source = { ...inner, next: () => (calls.next++, inner.next()) };
  return { source, calls };
}

function rejects(options: Partial<MixOptions> & Record<string, unknown>, code: string, message: RegExp): void {
  const robot = spy("robot");
  const web = spy("web");
  const build = () => mix({ sources: { robot: robot.source, web: web.source }, weights: "1:1", batchSize: 8, ...options } as MixOptions);
  expect(build).toThrow(ConfigError);
  expect(build).toThrow(message);
  try {
    build();
  } catch (error) {
    expect((error as ConfigError).code).toBe(code);
  }
  expect(robot.calls.next + web.calls.next).toBe(0);
}

describe("configuration", () => {
  it("rejects bad weights before reading anything, naming the option and showing the value", () => {
    rejects({ weights: { robot: 1, webb: 1 } }, "MIX_UNKNOWN_SOURCE", /weights names unknown source\(s\) "webb"; the sources are robot, web/);
    rejects({ weights: { robot: 1, web: -1 } }, "MIX_WEIGHTS", /weights\.web must be a finite number >= 0, got -1/);
    rejects({ weights: { robot: 1, web: Number.NaN } }, "MIX_WEIGHTS", /weights\.web must be a finite number >= 0, got NaN/);
    rejects({ weights: { robot: Number.POSITIVE_INFINITY, web: 1 } }, "MIX_WEIGHTS", /got Infinity/);
    rejects({ weights: { robot: 0, web: 0 } }, "MIX_WEIGHTS", /must not be all zero/);
    rejects({ weights: { robot: 1 } }, "MIX_WEIGHTS", /no weight for source\(s\) web \(give 0 to leave a source out\)/);
    rejects({ weights: "1:x" }, "MIX_WEIGHTS", /2 non-negative numbers joined by ":" \(one per source, in the order robot, web\), got "1:x"/);
    rejects({ weights: "1:2:3" }, "MIX_WEIGHTS", /got "1:2:3"/);
    rejects({ weights: [1] }, "MIX_WEIGHTS", /one weight per source/);
  });

  it("rejects bad schedules, batch sizes and other options", () => {
    rejects({ weights: undefined, schedule: [{ step: 0, weights: { robot: 1, web: 1 } }, { step: 10, weights: { robot: 1, droid: 1 } }] }, "MIX_UNKNOWN_SOURCE", /schedule\[1\]\.weights names unknown source\(s\) "droid"/);
    rejects({ weights: undefined, schedule: [{ step: 5, weights: "1:1" }] }, "MIX_SCHEDULE", /schedule\[0\]\.step must be 0 \(the schedule starts at step 0\), got 5/);
    rejects({ weights: undefined, schedule: [{ step: 0, weights: "1:1" }, { step: 0, weights: "1:2" }] }, "MIX_SCHEDULE", /schedule\[1\]\.step must be an integer greater than 0, got 0/);
    rejects({ weights: undefined, schedule: [{ step: 0, weights: "1:1" }, { step: 9, weights: "1:2", interpolate: "cubic" as never }] }, "MIX_SCHEDULE", /interpolate must be "step" or "linear", got "cubic"/);
    rejects({ weights: undefined, schedule: [{ step: 0, weights: "1:-1" }] }, "MIX_WEIGHTS", /schedule\[0\]\.weights as a string/);
    rejects({ weights: undefined }, "MIX_CONFIG", /weights must be given, or else schedule/);
    rejects({ schedule: [{ step: 0, weights: "1:1" }] }, "MIX_CONFIG", /exactly one of the two/);
    rejects({ batchSize: 0 }, "MIX_CONFIG", /batchSize must be a positive integer, got 0/);
    rejects({ batchSize: 2.5 }, "MIX_CONFIG", /got 2\.5/);
    rejects({ batchSize: 1 }, "MIX_BATCH_SIZE", /batchSize must be at least the number of sources with a nonzero weight \(2\) in exact mode.*got 1/);
    rejects({ mode: "random" as never }, "MIX_CONFIG", /mode must be "exact" or "sampled", got "random"/);
    rejects({ order: "interleaved" as never }, "MIX_CONFIG", /order must be "grouped" or "shuffled"/);
    rejects({ stop: { samples: 0 } }, "MIX_CONFIG", /stop must be .*got \{"samples":0\}/);
    rejects({ stop: "never" as never }, "MIX_CONFIG", /got "never"/);
    rejects({ rank: 2, worldSize: 2 }, "MIX_CONFIG", /rank must be an integer in \[0, 1\] \(worldSize is 2\), got 2/);
    rejects({ prefetch: -1 }, "MIX_CONFIG", /prefetch must be a non-negative integer, got -1/);
    rejects({ seed: Number.NaN }, "MIX_CONFIG", /seed must be a finite number or a string, got NaN/);
    rejects({ batch_size: 8 }, "MIX_UNKNOWN_OPTION", /batch_size must be one of the known options/);
    expect(() => mix({ sources: {}, weights: {}, batchSize: 8 })).toThrow(/sources must be a non-empty object/);
  });

  it("accepts a 1:1 mix with B = 1 in sampled mode, and 1 sample per source per batch in exact mode", async () => {
    const sampled = mix({ sources: { a: cachedSource("a", 8, 4), b: cachedSource("b", 8, 4) }, weights: "1:1", batchSize: 1, mode: "sampled", seed: 1 });
    expect((await sampled.next())?.numRows).toBe(1);
    const exact = mix({ sources: { a: cachedSource("a", 8, 4), b: cachedSource("b", 8, 4) }, weights: "1:1", batchSize: 2 });
    expect((await drain(exact)).length).toBe(8);
  });

  it("reports the effective, normalized configuration", () => {
    const mixer = mix({ sources: { bridge: spy("bridge").source, droid: spy("droid").source, llava: spy("llava").source }, weights: "1:1:2", batchSize: 64, seed: "run-7" });
    expect(mixer.config()).toEqual({
      sources: ["bridge", "droid", "llava"],
      mode: "exact",
      batchSize: 64,
      seed: "run-7",
      order: "grouped",
      stop: "first_exhausted",
      rank: 0,
      worldSize: 1,
      prefetch: 2,
      weights: { bridge: 0.25, droid: 0.25, llava: 0.5 },
      schedule: [{ step: 0, weights: { bridge: 0.25, droid: 0.25, llava: 0.5 }, interpolate: "step" }],
    });
    expect(mix({ sources: { a: spy("a").source, b: spy("b").source }, weights: { a: 0.7, b: 0.3 }, batchSize: 10 }).config().weights).toEqual({ a: 0.7, b: 0.3 });
    expect(mix({ sources: { a: spy("a").source, b: spy("b").source }, weights: [3, 1], batchSize: 10 }).config().weights).toEqual({ a: 0.75, b: 0.25 });
    const ramp = mix({ sources: { a: spy("a").source, b: spy("b").source }, schedule: [{ step: 0, weights: "3:1" }, { step: 100, weights: "1:1", interpolate: "linear" }], batchSize: 10 });
    expect(ramp.config().schedule[1]).toEqual({ step: 100, weights: { a: 0.5, b: 0.5 }, interpolate: "linear" });
    expect(ramp.describe()).toBe("mix(exact, batch=10, schedule(2 points), order=grouped, stop=first_exhausted, seed=0) <- [a: a(4 batches); b: b(4 batches)]");
  });

  it("raises a ConfigError for a source that yields nothing at its first read, before yielding a batch", async () => {
    const mixer = mix({ sources: { robot: cachedSource("robot", 20, 5), web: fromRows([]) }, weights: "1:1", batchSize: 4 });
    await expect(mixer.next()).rejects.toThrow(/mix source\(s\) "web" yielded no rows at the first read/);
    const repeating = mix({ sources: { robot: cachedSource("robot", 20, 5), web: fromRows([]) }, weights: "1:1", batchSize: 4, stop: "all_exhausted" });
    await expect(repeating.next()).rejects.toThrow(ConfigError);
  });

  it("raises a ConfigError for a source whose columns cannot be aligned to the canonical schema", async () => {
    // sample_id is required (not nullable): a source without it cannot be padded with nulls
    const names = CANONICAL_SCHEMA.fields.map((f) => f.name).filter((n) => n !== "sample_id");
    const lacking = fromBatches([rowsToBatch(makeRows("x", 4)).select(names)]);
    const mixer = mix({ sources: { robot: cachedSource("robot", 20, 5), bad: lacking }, weights: "1:1", batchSize: 4 });
    await expect(mixer.next()).rejects.toThrow(/source "bad" yields batches that do not fit the mixed schema: .*sample_id/);
    // a column of another type
    const typed = rowsToBatch(makeRows("y", 4));
    const schema = new Schema(typed.schema.fields.map((f) => (f.name === "episode_index" ? new Field("episode_index", new Utf8(), true) : f)));
    const columns = columnsOf(typed).map((d, i) => (typed.schema.fields[i]!.name === "episode_index" ? columnsOf(typed)[2]! : d));
    const retyped = mix({ sources: { robot: cachedSource("robot", 20, 5), bad: fromBatches([makeBatch(schema, columns, 4)]) }, weights: "1:1", batchSize: 4 });
    await expect(retyped.next()).rejects.toThrow(/column episode_index is Utf8, expected Int32/);
  });
});

describe("schemas and accounting", () => {
  it("aligns web batches without robot columns to the canonical schema, with nulls (zero-copy for present columns)", async () => {
    const mixer = mix({ sources: { robot: cachedSource("robot", 16, 4), web: webWithoutRobotColumns(16, 4) }, weights: "1:1", batchSize: 8 });
    const batches = await drain(mixer);
    expect(batches).toHaveLength(4);
    for (const batch of batches) {
      expect(batch.schema.fields.map((f) => f.name)).toEqual(CANONICAL_SCHEMA.fields.map((f) => f.name));
      const rows = batchToRows(batch);
      expect(rows.filter((r) => r.kind === "robot").every((r) => r.action !== null && r.episode_index !== null)).toBe(true);
      expect(rows.filter((r) => r.kind === "vqa").every((r) => r.action === null && r.state === null && r.is_first === null)).toBe(true);
      expect(rows.filter((r) => r.kind === "vqa").map((r) => r.messages[0]?.content)).toHaveLength(4);
    }
  });

  it("reports per-source rows, epochs, shares and upstream skips at any time", async () => {
    const web = cachedSource("web", 12, 4);
    const counted = Object.assign({}, web, { skipped: () => ({ IMAGE_DECODE: 2, BAD_JSON: 1 }) });
    const mixer = mix({ sources: { robot: cachedSource("robot", 24, 4), web: counted }, weights: "2:1", batchSize: 6, stop: "all_exhausted" });
    expect(mixer.stats().sources.robot).toMatchObject({ delivered: 0, share: 0, targetShare: 2 / 3, weight: 2 / 3, epochs: 0 });
    await mixer.next();
    expect(mixer.stats()).toMatchObject({ step: 1, rows: 6, stopped: null });
    await drain(mixer);
    const stats = mixer.stats();
    expect(stats.stopped).toEqual({ reason: "all_exhausted" });
    expect(stats.sources.robot).toMatchObject({ delivered: 24, epochs: 1, skipped: null });
    expect(stats.sources.web).toMatchObject({ delivered: 12, epochs: 1, skipped: { IMAGE_DECODE: 2, BAD_JSON: 1 } });
    expect(stats.sources.robot!.share).toBeCloseTo(2 / 3, 12);
  });
});

describe("failures", () => {
  it("rejects a state saved by a mixer with other sources, mode or rank", async () => {
    const a = mix({ sources: { robot: cachedSource("robot", 20, 5), web: cachedSource("web", 20, 5) }, weights: "1:1", batchSize: 4 });
    await a.next();
    const saved = a.state();
    const other = mix({ sources: { robot: cachedSource("robot", 20, 5), llava: cachedSource("llava", 20, 5) }, weights: "1:1", batchSize: 4 });
    expect(() => other.restore(saved)).toThrow(/saved by a mixer with \{"sources":\["robot","web"\]/);
    const sampled = mix({ sources: { robot: cachedSource("robot", 20, 5), web: cachedSource("web", 20, 5) }, weights: "1:1", batchSize: 4, mode: "sampled" });
    expect(() => sampled.restore(saved)).toThrow(/"mode":"exact"/);
    expect(() => sampled.restore({ version: 9 })).toThrow(/unsupported state version 9/);
  });

  it("surfaces a source's read error from next() when its rows are needed, even when it failed in the background", async () => {
    const inner = cachedSource("web", 40, 4);
    let reads = 0;
    const flaky: Source = { ...inner, next: async () => (++reads === 3 ? Promise.reject(new Error("disk on fire")) : inner.next()) };
    const mixer = mix({ sources: { robot: cachedSource("robot", 40, 4), web: flaky }, weights: "1:1", batchSize: 8, prefetch: 4 });
    expect((await mixer.next())?.numRows).toBe(8);
    expect((await mixer.next())?.numRows).toBe(8);
    await expect(mixer.next()).rejects.toThrow("disk on fire");
    await mixer.close();
  });
});
