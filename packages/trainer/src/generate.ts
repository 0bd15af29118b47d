import { ConfigError } from "@cotrain/core";
import { tf, valuesOf } from "./tf.js";
import type { Tensor } from "./tf.js";
import { numPatches } from "./model/config.js";
import { attentionBias, patchify, readoutPositions } from "./model/inputs.js";
import type { TokenRange } from "./model/inputs.js";
import type { VlaModel } from "./model/vla.js";

export interface GenerateRequest {
  /** NHWC pixels of the rows, [B, H, W, C] as in a Batch. */
  pixels: Float32Array;
  pixelShape: readonly [number, number, number, number];
  /** Prompt token ids per row (B rows). */
  prompts: readonly (readonly number[])[];
  /** [B]: 0 where a row has no image (text then does not attend to the zero pixels). */
  hasImage?: Uint8Array;
}

export interface GenerateOptions {
  /** New tokens per row (one number for all rows, or one per row). */
  maxNewTokens: number | readonly number[];
  /** A row stops after producing one of these ids (it is included in the output). */
  stopIds?: readonly number[];
  /** Id written into unused positions (never attended). */
  padId?: number;
  /** Pick the arg-max only among ids in [start, end) (e.g. the action tokens, so every decode is a valid action). */
  allowedIds?: TokenRange;
}

function argmax(values: Float32Array | Int32Array | Uint8Array, start: number, length: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = values[start + i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * Greedy decoding for a batch of prompts: each step runs the model on the whole [B, T] buffer (no KV cache:
 * models here are small) and appends the arg-max token at each unfinished row's end. Returns only the new ids.
 * Frees every tensor it makes.
 */
export function generate(model: VlaModel, request: GenerateRequest, options: GenerateOptions): number[][] {
  const c = model.config;
  const B = request.prompts.length;
  const n = numPatches(c);
  const budgets = request.prompts.map((_, b) => (typeof options.maxNewTokens === "number" ? options.maxNewTokens : (options.maxNewTokens[b] ?? 0)));
  const lengths = request.prompts.map((p) => p.length);
  const T = Math.min(c.maxTextLen, Math.max(1, ...lengths.map((l, b) => l + (budgets[b] as number))));
  request.prompts.forEach((p, b) => {
    if (p.length === 0 || p.length >= c.maxTextLen) throw new ConfigError("BAD_PROMPT", `prompt ${b} has ${p.length} tokens; it needs 1..${c.maxTextLen - 1} (model.maxTextLen ${c.maxTextLen})`, { row: b });
  });
  const ids = new Int32Array(B * T).fill(options.padId ?? 0);
  const mask = new Int32Array(B * T);
  request.prompts.forEach((p, b) => p.forEach((id, t) => ((ids[b * T + t] = id), (mask[b * T + t] = 1))));
  const out: number[][] = request.prompts.map(() => []);
  const stop = new Set(options.stopIds ?? []);
  const allowed = options.allowedIds ?? { start: 0, end: c.vocabSize };
  if (!(Number.isInteger(allowed.start) && Number.isInteger(allowed.end) && allowed.start >= 0 && allowed.end <= c.vocabSize && allowed.start < allowed.end)) {
    throw new ConfigError("BAD_ALLOWED_IDS", `\`allowedIds\` must be a non-empty range within 0..${c.vocabSize}, got [${allowed.start}, ${allowed.end})`, { field: "allowedIds" });
  }
  const active = (b: number): boolean => (out[b] as number[]).length < (budgets[b] as number) && (lengths[b] as number) < T && !stop.has((out[b] as number[]).at(-1) ?? -1);
  const patches = tf.tensor3d(patchify(request.pixels, request.pixelShape, c), [B, n, c.patchSize * c.patchSize * c.channels]);
  try {
    while (request.prompts.some((_, b) => active(b))) {
      const logits = valuesOf(() => {
        const inputs = {
          patches,
          tokens: tf.tensor2d(ids, [B, T], "int32"),
          bias: tf.tensor4d(attentionBias(mask, B, T, n, request.hasImage), [B, 1, n + T, n + T]),
          readout: tf.tensor3d(readoutPositions(mask, B, T, n), [B, 1, n + T]),
        };
        return model.forward(inputs, { text: true, action: false }).textLogits as Tensor;
      });
      for (let b = 0; b < B; b++) {
        if (!active(b)) continue;
        const pos = (lengths[b] as number) - 1;
        const next = allowed.start + argmax(logits, (b * T + pos) * c.vocabSize + allowed.start, allowed.end - allowed.start);
        (out[b] as number[]).push(next);
        ids[b * T + pos + 1] = next;
        mask[b * T + pos + 1] = 1;
        lengths[b] = (lengths[b] as number) + 1;
      }
    }
  } finally {
    patches.dispose();
  }
  return out;
}

export { argmax };
