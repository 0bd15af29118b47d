import { makeData } from "apache-arrow";
import type { Data, RecordBatch } from "apache-arrow";
import { CANONICAL_FIELDS, CANONICAL_SCHEMA, COLUMN, MESSAGE_TYPE, ValueError, allocBatchBytes, makeBatch } from "@cotrain/core";
import type { Episode } from "./episode.js";
import type { RowNormalizers } from "./stats/normalize-rows.js";
import { Utf8Builder } from "./utf8-builder.js";

/** Steps `from` (inclusive) to `to` (exclusive) of an episode: one run of rows of a batch. */
export interface EpisodeSlice {
  episode: Episode;
  from: number;
  to: number;
}

export interface EpisodesToBatchOptions {
  /** Action chunk length H, as in `episodeToRows` (default 0: one action per step). */
  chunk?: number;
  /** Normalizers applied to each row's action and state, as `normalizeRow` does. */
  normalize?: RowNormalizers;
}

/**
 * The canonical batch of `rowsToBatch(episodeToRows(…))` over the slices, in order, built column by column straight
 * from the episodes' arrays (steps × fields). Why not through rows: a reader streams every step of a dataset, and
 * the per-row objects (a dozen small arrays and views per step), plus a second pass of core's row builder over
 * them, cost more than the Arrow buffers themselves. The batch is the same, byte for byte (a test compares the
 * two). Image bytes are copied once, into one `allocBatchBytes` buffer per batch, so the batch never refers to the
 * episodes' records.
 */
export function episodesToBatch(slices: readonly EpisodeSlice[], options: EpisodesToBatchOptions = {}): RecordBatch {
  const chunk = options.chunk ?? 0;
  if (!Number.isInteger(chunk) || chunk < 0) throw new RangeError(`chunk must be a non-negative integer, got ${chunk}`);
  const { action: actionNorm, state: stateNorm } = options.normalize ?? {};
  let n = 0;
  let imageCount = 0;
  let imageBytes = 0;
  let actionValues = 0;
  let stateValues = 0;
  for (const { episode, from, to } of slices) {
    checkEpisodeShape(episode);
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= episode.length)) {
      throw new RangeError(`a slice must lie within the episode's ${episode.length} steps, got ${from}..${to}`);
    }
    n += to - from;
    imageCount += (to - from) * episode.cameras.length;
    for (const camera of episode.cameras) for (let t = from; t < to; t++) imageBytes += (camera.frames[t] as Uint8Array).length;
    actionValues += (to - from) * (chunk > 0 ? chunk : 1) * episode.actionDim;
    if (episode.states) stateValues += (to - from) * episode.stateDim;
  }

  const sources = new Utf8Builder(n);
  const kinds = new Utf8Builder(n);
  const sampleIds = new Utf8Builder(n);
  const cameraNames = new Utf8Builder(imageCount);
  const roles = new Utf8Builder(n);
  const instructions = new Utf8Builder(n);
  const imagesOffsets = new Int32Array(n + 1);
  const imageOffsets = new Int32Array(imageCount + 1);
  const images = allocBatchBytes(imageBytes);
  const actionOffsets = new Int32Array(n + 1);
  const actions = new Float32Array(actionValues);
  const stateOffsets = new Int32Array(n + 1);
  const states = new Float32Array(stateValues);
  const stateValid = new Uint8Array(bitmapBytes(n));
  let stateNulls = 0;
  const padFlags = new Uint8Array(bitmapBytes(n * chunk));
  const episodeIndex = new Int32Array(n);
  const stepIndex = new Int32Array(n);
  const isFirst = new Uint8Array(bitmapBytes(n));
  const isLast = new Uint8Array(bitmapBytes(n));

  let row = 0;
  let image = 0;
  let byte = 0;
  let action = 0;
  let state = 0;
  for (const { episode, from, to } of slices) {
    const { length, actionDim: d, stateDim } = episode;
    for (let t = from; t < to; t++, row++) {
      const sampleId = `${episode.id}#${t}`;
      sources.append(episode.source);
      kinds.append("robot");
      sampleIds.append(sampleId);
      roles.append("user");
      instructions.append(episode.instructions[t] ?? episode.instructions[0] ?? "");
      for (const camera of episode.cameras) {
        const frame = camera.frames[t] as Uint8Array;
        images.set(frame, byte);
        byte += frame.length;
        imageOffsets[++image] = byte;
        cameraNames.append(camera.name);
      }
      imagesOffsets[row + 1] = image;

      // rowsToBatch refuses an empty action or state list; so does this (a zero-dimension layout).
      if (d === 0) throw new ValueError("ROW_EMPTY_LIST", `${COLUMN.action} must be null or non-empty`, { row, id: sampleId, field: COLUMN.action });
      const start = action;
      // Plain loops rather than subarray + set: a step is a handful of floats, and views would be garbage per row.
      for (let h = 0; h < (chunk > 0 ? chunk : 1); h++) {
        const src = Math.min(t + h, length - 1) * d;
        for (let j = 0; j < d; j++) actions[action + j] = episode.actions[src + j] as number;
        action += d;
        if (chunk > 0 && t + h >= length) setBit(padFlags, row * chunk + h);
      }
      if (actionNorm) actions.set(actionNorm.normalize(actions.subarray(start, action)), start);
      actionOffsets[row + 1] = action;

      if (episode.states) {
        if (stateDim === 0) throw new ValueError("ROW_EMPTY_LIST", `${COLUMN.state} must be null or non-empty`, { row, id: sampleId, field: COLUMN.state });
        if (stateNorm) states.set(stateNorm.normalize(episode.states.subarray(t * stateDim, t * stateDim + stateDim)), state);
        else for (let j = 0; j < stateDim; j++) states[state + j] = episode.states[t * stateDim + j] as number;
        state += stateDim;
        setBit(stateValid, row);
      } else {
        stateNulls++;
      }
      stateOffsets[row + 1] = state;

      episodeIndex[row] = episode.index;
      stepIndex[row] = t;
      if (episode.isFirst?.[t] ?? t === 0) setBit(isFirst, row);
      if (episode.isLast?.[t] ?? t === length - 1) setBit(isLast, row);
    }
  }

  const f = CANONICAL_FIELDS;
  const imageData = makeData({ type: f[3].type.children[0]!.type, length: imageCount, nullCount: 0, valueOffsets: imageOffsets, data: images });
  // One camera name per image: the cameras list has the images list's offsets (a copy, so neither aliases the other).
  const cameraData = cameraNames.finish();
  const messageData = makeData({ type: MESSAGE_TYPE, length: n, nullCount: 0, children: [roles.finish(), instructions.finish()] });
  const actionChild = makeData({ type: f[6].type.children[0]!.type, length: actions.length, nullCount: 0, data: actions });
  const stateChild = makeData({ type: f[8].type.children[0]!.type, length: states.length, nullCount: 0, data: states });
  const padChild = makeData({ type: f[7].type.children[0]!.type, length: n * chunk, nullCount: 0, data: padFlags });
  const allNull = (): Uint8Array => new Uint8Array(bitmapBytes(n));
  const columns: Data[] = [
    sources.finish(),
    kinds.finish(),
    sampleIds.finish(),
    makeData({ type: f[3].type, length: n, nullCount: 0, valueOffsets: imagesOffsets, child: imageData }),
    makeData({ type: f[4].type, length: n, nullCount: 0, valueOffsets: imagesOffsets.slice(), child: cameraData }),
    makeData({ type: f[5].type, length: n, nullCount: 0, valueOffsets: steps(n, 1), child: messageData }),
    makeData({ type: f[6].type, length: n, nullCount: 0, valueOffsets: actionOffsets, child: actionChild }),
    chunk > 0
      ? makeData({ type: f[7].type, length: n, nullCount: 0, valueOffsets: steps(n, chunk), child: padChild })
      : makeData({ type: f[7].type, length: n, nullCount: n, nullBitmap: n > 0 ? allNull() : undefined, valueOffsets: new Int32Array(n + 1), child: padChild }),
    makeData({ type: f[8].type, length: n, nullCount: stateNulls, nullBitmap: stateNulls > 0 ? stateValid : undefined, valueOffsets: stateOffsets, child: stateChild }),
    makeData({ type: f[9].type, length: n, nullCount: 0, data: episodeIndex }),
    makeData({ type: f[10].type, length: n, nullCount: 0, data: stepIndex }),
    makeData({ type: f[11].type, length: n, nullCount: 0, data: isFirst }),
    makeData({ type: f[12].type, length: n, nullCount: 0, data: isLast }),
  ];
  return makeBatch(CANONICAL_SCHEMA, columns, n);
}

/** The check `episodeToRows` makes before building rows: actions hold length × actionDim values. */
export function checkEpisodeShape(episode: Episode): void {
  const { length, actionDim: d } = episode;
  if (episode.actions.length !== length * d) {
    throw new ValueError("EPISODE_SHAPE", `actions hold ${episode.actions.length} values, expected ${length} steps × ${d}`, { id: episode.id, row: episode.index, field: "action" });
  }
}

/** Bytes of a validity or boolean bitmap of `bits` bits, padded to 64 bits as core's row builder pads them. */
function bitmapBytes(bits: number): number {
  return ((bits + 63) & ~63) >> 3;
}

function setBit(bitmap: Uint8Array, i: number): void {
  bitmap[i >> 3]! |= 1 << (i & 7);
}

/** List offsets 0, k, 2k, … (every row holds k items). */
function steps(n: number, k: number): Int32Array {
  const offsets = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) offsets[i] = i * k;
  return offsets;
}

