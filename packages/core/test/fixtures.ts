import type { RowInput } from "@cotrain/core";

/**
 * Canonical rows exercising every column type: robot rows with several cameras, chunked and unchunked actions,
 * states and episode columns; web rows with one image, no image (empty lists), multi-turn messages, unicode.
 */
export function mixedRows(count: number, offset = 0): RowInput[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + offset;
    if (i % 3 === 2) {
      return {
        source: "llava",
        kind: "vqa",
        sample_id: `q${i}`,
        images: i % 2 === 0 ? [] : [Uint8Array.from([0xff, 0xd8, i & 0xff, 7])],
        cameras: i % 2 === 0 ? [] : ["image"],
        messages: [
          { role: "user", content: `<image>\nWhat colour is object ${i}? — ünïcode ✓` },
          { role: "assistant", content: "red" },
          ...(i % 4 === 0 ? [{ role: "user" as const, content: "And the shape?" }, { role: "assistant" as const, content: "cube" }] : []),
        ],
      };
    }
    const chunked = i % 2 === 0;
    return {
      source: "bridge",
      kind: "robot",
      sample_id: `ep${i >> 3}#${i & 7}`,
      images: [Uint8Array.from([1, 2, i & 0xff]), Uint8Array.from([9, i & 0xff])],
      cameras: ["image_0", "image_1"],
      messages: [{ role: "user", content: `pick up the block ${i}` }],
      action: chunked ? Float32Array.from({ length: 14 }, (_, d) => i + d / 10) : Float32Array.from({ length: 7 }, (_, d) => -i - d / 8),
      action_is_pad: chunked ? [false, i % 4 === 0] : null,
      state: i % 5 === 0 ? null : Float32Array.from({ length: 8 }, (_, d) => d * 0.5 + i),
      episode_index: i >> 3,
      step_index: i & 7,
      is_first: (i & 7) === 0,
      is_last: (i & 7) === 7,
    };
  });
}

/** A row as plain JSON-comparable values (typed arrays to arrays, bytes to number lists). */
export function plain(row: object): unknown {
  return JSON.parse(JSON.stringify(row, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)));
}

/** The same row normalized the way rowsToBatch fills defaults. */
export function normalized(row: RowInput): unknown {
  return plain({
    source: row.source,
    kind: row.kind,
    sample_id: row.sample_id,
    images: row.images ?? [],
    cameras: row.cameras ?? [],
    messages: row.messages ?? [],
    action: row.action ?? null,
    action_is_pad: row.action_is_pad ?? null,
    state: row.state ?? null,
    episode_index: row.episode_index ?? null,
    step_index: row.step_index ?? null,
    is_first: row.is_first ?? null,
    is_last: row.is_last ?? null,
  });
}
