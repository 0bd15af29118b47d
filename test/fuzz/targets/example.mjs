// tf.train.Example: mutations of one episode record's payload, re-framed with valid CRCs so the reader's protobuf
// decoding and episode checks are reached (blind byte changes, inflated length prefixes, NaN/Infinity in actions
// and states, dropped keys, lists of the wrong kind or length, invalid UTF-8 in texts). Oracle: the mutated
// payload is decoded independently (protobufjs' generic decoder over the published schema) and the episode's
// expected rows are computed from it (Bridge mapping: four cameras, action, state, instruction, flags, id from
// episode_metadata). If protobufjs rejects the payload, or an action/state value is not finite, or an instruction
// or metadata string is not valid UTF-8, the reader must raise; otherwise it may raise (it checks more: image
// headers, the shape of every step feature) or yield exactly the expected rows.
import fc from "fast-check";
import { applyByteMutation, byteMutation, concat } from "../lib/bytes.mjs";
import { decodeExample, encodeExample, encodeVarint, lengthPrefixes } from "../lib/example.mjs";
import { strictUtf8 } from "../lib/json.mjs";
import { sha } from "../lib/rows.mjs";
import { frame, splitRecords } from "../lib/tfrecord.mjs";
import { readRlds, setupRlds } from "./rlds-fixture.mjs";

const CAMERAS = ["image_0", "image_1", "image_2", "image_3"].map((c) => `steps/observation/${c}`);
const NUMERIC = ["steps/action", "steps/observation/state", "steps/reward", "steps/discount", "steps/language_embedding", "steps/is_first", "steps/is_last"];
const ODD_FLOATS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e39, -0, 3.4e38, 1e-45];
const HUGE = [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 35, 2 ** 53, 2n ** 64n - 1n, 0];
const BAD_UTF8 = [[0x80], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff, 0xfe]];

export default {
  name: "example",
  reads: "tf.train.Example payloads of RLDS records (re-framed, valid CRCs) through openRlds",
  async setup(dir) {
    const ctx = await setupRlds(dir);
    ctx.records = ctx.shards.map((name) => splitRecords(ctx.files[name]));
    return ctx;
  },
  arbitrary(ctx) {
    const where = fc.record({ shard: fc.nat({ max: ctx.shards.length - 1 }), record: fc.nat({ max: 7 }) });
    const sizes = ctx.records.flat().map((r) => r.data.length);
    return fc.oneof(
      { arbitrary: where.chain((w) => byteMutation(Math.min(...sizes)).map((m) => ({ op: "bytes", ...w, m }))), weight: 6 },
      { arbitrary: fc.record({ op: fc.constant("length"), w: where, pick: fc.nat(), value: fc.oneof(fc.constantFrom(...HUGE), fc.integer({ min: -3, max: 3 })) }), weight: 3 },
      { arbitrary: fc.record({ op: fc.constant("float"), w: where, key: fc.constantFrom(...NUMERIC), at: fc.nat(), value: fc.constantFrom(...ODD_FLOATS) }), weight: 3 },
      { arbitrary: fc.record({ op: fc.constant("drop-key"), w: where, pick: fc.nat() }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant("kind"), w: where, pick: fc.nat(), kind: fc.constantFrom("bytes", "float", "int64", "none") }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant("cut-list"), w: where, pick: fc.nat(), keep: fc.nat({ max: 20 }) }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant("bad-utf8"), w: where, key: fc.constantFrom("steps/language_instruction", "episode_metadata/file_path"), bytes: fc.constantFrom(...BAD_UTF8) }), weight: 1 },
    );
  },
  mutate(ctx, d) {
    const w = d.w ?? d;
    const shard = w.shard % ctx.shards.length;
    const records = ctx.records[shard];
    const r = w.record % records.length;
    const payloads = records.map((x) => x.data);
    payloads[r] = mutatePayload(payloads[r], d);
    return { [ctx.shards[shard]]: concat(...payloads.map((p) => frame(p))) };
  },
  read: readRlds,
  judgeSame: true,
  expectError(ctx, d, files) {
    const { payload } = mutatedPayload(ctx, d, files);
    let example;
    try {
      example = decodeExample(payload);
    } catch {
      return true; // not a tf.train.Example
    }
    for (const key of ["steps/action", "steps/observation/state"]) {
      const f = example.get(key);
      if (f?.kind === "float" && f.values.some((v) => !Number.isFinite(v))) return true;
    }
    for (const key of ["steps/language_instruction", ...[...example.keys()].filter((k) => k.startsWith("episode_metadata/"))]) {
      const f = example.get(key);
      if (f?.kind === "bytes" && f.values.some((b) => strictUtf8(b) === null)) return true;
    }
    return false;
  },
  judge(ctx, d, files, output, baseline) {
    const { shard, record, payload } = mutatedPayload(ctx, d, files);
    const index = ctx.shardLengths.slice(0, shard).reduce((s, n) => s + n, 0) + record;
    const expected = expectedRows(decodeExample(payload), baseline.rows.find((row) => row.episode_index === index), `${ctx.shards[shard]}#${record}`, index);
    if (typeof expected === "string") return `the reader yielded rows for an episode that must fail: ${expected}`;
    const want = [...baseline.rows.filter((row) => row.episode_index < index), ...expected, ...baseline.rows.filter((row) => row.episode_index > index)];
    if (JSON.stringify(output) === JSON.stringify({ rows: want, skipped: {} })) return null;
    const got = output.rows.filter((row) => row.episode_index === index);
    return `rows differ from the independent decode of the mutated Example: got ${JSON.stringify(got).slice(0, 300)}, expected ${JSON.stringify(expected).slice(0, 300)}`;
  },
};

function mutatedPayload(ctx, d, files) {
  const w = d.w ?? d;
  const shard = w.shard % ctx.shards.length;
  const record = w.record % ctx.records[shard].length;
  return { shard, record, payload: splitRecords(files[ctx.shards[shard]])[record].data };
}

function mutatePayload(payload, d) {
  if (d.op === "bytes") return applyByteMutation(payload, d.m);
  if (d.op === "length") {
    const prefixes = lengthPrefixes(payload);
    const p = prefixes[d.pick % prefixes.length];
    const old = Number(decodeVarintAt(payload, p.start));
    const value = typeof d.value === "number" && Math.abs(d.value) <= 3 ? Math.max(0, old + d.value) : d.value;
    return concat(payload.subarray(0, p.start), encodeVarint(value), payload.subarray(p.end));
  }
  const example = decodeExample(payload);
  const keys = [...example.keys()];
  const key = d.key ?? keys[d.pick % keys.length];
  const f = example.get(key);
  if (d.op === "float" && f && f.kind !== "bytes" && f.values.length > 0) f.values[d.at % f.values.length] = d.value;
  if (d.op === "drop-key") example.delete(key);
  if (d.op === "kind" && f) example.set(key, { kind: d.kind, values: d.kind === "bytes" ? f.values.map((v) => (v instanceof Uint8Array ? v : Uint8Array.of(Number(v) & 0xff))) : d.kind === "none" ? [] : f.values.map((v) => (v instanceof Uint8Array ? v.length : v)) });
  if (d.op === "cut-list" && f) f.values = f.values.slice(0, d.keep);
  if (d.op === "bad-utf8" && f?.kind === "bytes") f.values = f.values.map((v) => concat(v.subarray(0, 2), Uint8Array.from(d.bytes), v.subarray(2)));
  return encodeExample(example);
}

function decodeVarintAt(bytes, at) {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    const b = bytes[at + i];
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) break;
  }
  return value;
}

/**
 * The rows of one Bridge episode as the preset maps it, computed from the decoded Example alone; a string when the
 * episode must fail instead (a key the mapping needs is absent, counts disagree).
 */
function expectedRows(example, original, fallbackId, index) {
  const get = (k) => example.get(k);
  const action = get("steps/action");
  if (!action || action.kind !== "float") return "steps/action missing or not floats";
  const steps = action.values.length / 7;
  if (!Number.isInteger(steps)) return "steps/action is not a whole number of 7-D steps";
  const state = get("steps/observation/state");
  if (!state || state.kind !== "float" || state.values.length !== steps * 7) return "state missing or of the wrong length";
  const cams = CAMERAS.map(get);
  if (cams.some((c) => !c || c.kind !== "bytes" || c.values.length !== steps)) return "a camera is missing or has the wrong frame count";
  const instruction = get("steps/language_instruction");
  if (!instruction || instruction.kind !== "bytes" || instruction.values.length !== steps) return "instruction missing or of the wrong length";
  const flag = (k) => {
    const f = get(k);
    return f && f.kind === "int64" ? f.values : null;
  };
  const first = flag("steps/is_first");
  const last = flag("steps/is_last");
  const text = (b) => new TextDecoder().decode(b);
  const meta = (k) => {
    const f = get(`episode_metadata/${k}`);
    if (!f || f.kind === "none") return undefined;
    return f.kind === "bytes" ? f.values.map(text).join("\n") : f.values.map(String).join(",");
  };
  const path = meta("file_path");
  const episodeId = meta("episode_id");
  const id = path ? (episodeId !== undefined ? `${path}_${episodeId}` : path) : fallbackId;
  return Array.from({ length: steps }, (_, t) => ({
    source: original.source,
    kind: "robot",
    sample_id: `${id}#${t}`,
    images: cams.map((c) => sha(c.values[t])),
    cameras: original.cameras,
    messages: [["user", text(instruction.values[t])]],
    action: Array.from(Float32Array.from(action.values.slice(t * 7, t * 7 + 7))),
    action_is_pad: null,
    state: Array.from(Float32Array.from(state.values.slice(t * 7, t * 7 + 7))),
    episode_index: index,
    step_index: t,
    is_first: first && first.length === steps ? first[t] !== 0 : t === 0,
    is_last: last && last.length === steps ? last[t] !== 0 : t === steps - 1,
  }));
}
