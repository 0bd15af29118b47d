import type { RecordBatch } from "apache-arrow";
import { ConfigError, ValueError, batchToRows } from "@cotrain/core";
import type { CanonicalRow, Message } from "@cotrain/core";
import { IGNORE_INDEX, KIND_ROBOT, KIND_VQA } from "./batch.js";
import type { Batch } from "./batch.js";
import type { ActionTokenizer } from "./actions/action-tokenizer.js";
import { readRowAction, refuseUnsetActions, resolveActions } from "./actions/layout.js";
import type { ActionLayout, RowAction } from "./actions/layout.js";
import { fillActions } from "./actions/fill.js";
import { fillPixels, pickImages, resolveImages } from "./images.js";
import { segmentsToTokens } from "./masking.js";
import type { MaskingContext, RowTokens } from "./masking.js";
import { resolveOptions } from "./options.js";
import type { CollatorOptions } from "./options.js";
import { packRows } from "./padding.js";
import { bump, emptyStats } from "./stats.js";
import type { CollatorStats } from "./stats.js";
import { resolveTemplate } from "./templates/registry.js";
import type { PromptTemplate } from "./templates/types.js";
import type { TextTokenizer } from "./tokenizer/types.js";
import { truncateRow } from "./truncation.js";

/**
 * The collator's work on one batch, as a function of (batch, epoch, source names) alone: no counters kept between
 * calls, so any number of batches may be collated at once, in this thread or in worker threads, and their results
 * put back in order by the caller (createCollator, createCollatorPool). Each call returns the batch and what it
 * adds to the counters.
 */
export interface CollateCore {
  readonly tokenizer: TextTokenizer;
  readonly template: PromptTemplate;
  readonly actionTokenizer: ActionTokenizer | null;
  readonly layout: ActionLayout;
  /** Ids are < vocabSize (text vocabulary plus appended action tokens). */
  readonly vocabSize: number;
  /** Float32 pixel values per row (H × W × 3 × cameras; 0 without images). */
  readonly pixelsPerRow: number;
  /**
   * `sourceNames` must hold every `source` of the batch (see assignSources); its order gives the ids. `reuse`: a
   * pixels array of an earlier batch that is no longer used, filled again when its size fits.
   */
  run(batch: RecordBatch, epoch: number, sourceNames: readonly string[], reuse?: Float32Array): Promise<{ batch: Batch; stats: CollatorStats }>;
}

export function createCollateCore(options: CollatorOptions): CollateCore {
  const opts = resolveOptions(options);
  const { tokenizer } = opts;
  const template = resolveTemplate(options.template ?? "openvla");
  const layout = resolveActions(options.actions);
  const actionTok = layout.tokenizer;
  if (actionTok) checkActionIds(actionTok, tokenizer);
  const plan = resolveImages(options.image);
  const vocabSize = actionTok ? actionTok.modelVocabSize : tokenizer.vocabSize;
  // Encodings of repeated text (system prompts, template pieces): a cache, so it never changes a result.
  const cache = new Map<string, number[]>();

  const run = async (batch: RecordBatch, epoch: number, sourceNames: readonly string[], reuse?: Float32Array): Promise<{ batch: Batch; stats: CollatorStats }> => {
    const stats = emptyStats();
    const ctx: MaskingContext = {
      tokenizer,
      imageTokens: opts.imageTokens,
      actionRange: actionTok ? [actionTok.firstId, actionTok.endId] : null,
      textCollision: opts.textCollision,
      onCollision: () => stats.textIdsInActionRange++,
      cache,
    };
    const sourceIndex = new Map(sourceNames.map((n, i) => [n, i]));
    const rows = batchToRows(batch);
    const b = rows.length;
    const kinds = new Uint8Array(b);
    const sources = new Int32Array(b);
    const actions: (RowAction | null)[] = [];
    const picked: (Uint8Array | null)[][] = [];
    const hasImage = new Uint8Array(b);
    const tokens = rows.map((row, i) => {
      if (row.kind !== "robot" && row.kind !== "vqa") throw new ValueError("ROW_KIND", `kind must be "robot" or "vqa", got ${JSON.stringify(row.kind)}`, { row: i, id: row.sample_id, field: "kind" });
      kinds[i] = row.kind === "robot" ? KIND_ROBOT : KIND_VQA;
      if (row.kind === "robot" && !layout.given) throw refuseUnsetActions(row, i);
      const s = sourceIndex.get(row.source);
      if (s === undefined) throw new RangeError(`source ${JSON.stringify(row.source)} of row ${i} is not among the source names given`);
      sources[i] = s;
      const action = row.kind === "robot" && layout.format !== "none" ? readRowAction(row, i, layout) : null;
      actions.push(action);
      const slots = pickImages(row, plan, stats);
      picked.push(slots);
      hasImage[i] = slots.some((x) => x !== null) ? 1 : 0;
      if (!hasImage[i]) stats.rowsWithoutImage++;
      return tokenizeRow(row, i, action, hasImage[i] === 1, ctx, stats);
    });
    const packed = packRows(tokens, { padding: opts.padding, maxLength: opts.maxLength, multipleOf: opts.multipleOf, padId: tokenizer.padId });
    const act = fillActions(actions, layout, b);
    const k = plan?.slots ?? 1;
    const images = plan ? await fillPixels(picked, rows, plan, epoch, reuse) : { pixels: new Float32Array(0), imageMask: new Uint8Array(b * k) };
    if (!plan) picked.forEach((slots, i) => slots.forEach((x, s) => x && (images.imageMask[i * k + s] = 1)));

    stats.batches = 1;
    stats.rows = b;
    for (const kind of kinds) kind === KIND_ROBOT ? stats.robotRows++ : stats.vqaRows++;
    stats.trainedTokens = packed.numTrainedTokens;
    const out: Batch = {
      size: b,
      seqLen: packed.seqLen,
      pixels: images.pixels,
      pixelShape: plan ? [b, plan.height, plan.width, 3 * plan.slots] : [b, 0, 0, 0],
      inputIds: packed.inputIds,
      attentionMask: packed.attentionMask,
      labels: packed.labels,
      ...act,
      kinds,
      sources,
      sourceNames: [...sourceNames],
      sampleIds: rows.map((r) => r.sample_id),
      numTrainedTokens: packed.numTrainedTokens,
      trainedPerRow: packed.trainedPerRow,
      hasImage,
      imageMask: images.imageMask,
      actionFormat: layout.format,
      vocabSize,
    };
    return { batch: out, stats };
  };

  const tokenizeRow = (row: CanonicalRow, i: number, action: RowAction | null, hasImage: boolean, ctx: MaskingContext, stats: CollatorStats): RowTokens => {
    const where = { row: i, id: row.sample_id };
    const robot = row.kind === "robot";
    const segments = template.render({
      kind: row.kind,
      messages: withoutPlaceholder(row.messages, opts.placeholder),
      hasImage: hasImage && opts.imageTokens > 0,
      trainText: !robot || opts.robotText,
      actionTokens: robot && actionTok !== null,
    });
    const ids = robot && actionTok && action ? { ids: actionTok.encode(action.values), pad: action.pad } : null;
    const tokens = segmentsToTokens(segments, ctx, ids, where);
    const trainedBefore = countTrained(tokens);
    if (opts.maxLength !== null) {
      const removed = truncateRow(tokens, opts.maxLength, row.kind, where);
      if (removed > 0) {
        stats.truncatedRows++;
        stats.truncatedTokens += removed;
      }
    }
    if (countTrained(tokens) === 0) {
      const reason = trainedBefore > 0 ? "truncated" : robot && !opts.robotText && actionTok === null ? "robot_text_off" : "no_answer";
      bump(stats.rowsWithoutTrainedTokens, reason);
    }
    return tokens;
  };

  const pixelsPerRow = plan ? plan.height * plan.width * 3 * plan.slots : 0;
  return { tokenizer, template, actionTokenizer: actionTok, layout, vocabSize, pixelsPerRow, run };
}

/**
 * Gives every `source` value of the batch an id, in order of first appearance across the stream: ids must be
 * assigned in stream order by one owner (the collator, or the pool's main thread), never by parallel workers.
 */
export function assignSources(batch: RecordBatch, names: string[], index: Map<string, number>): void {
  const column = batch.getChild("source");
  if (column === null) return; // batchToRows names the missing column
  for (let i = 0; i < batch.numRows; i++) {
    const name = column.get(i) as string | null;
    if (name !== null && !index.has(name)) index.set(name, names.push(name) - 1);
  }
}

/** LLaVA writes "<image>" into the human turn; the template places the image itself (as LLaVA's own loader does). */
function withoutPlaceholder(messages: readonly Message[], placeholder: string): readonly Message[] {
  if (placeholder === "" || !messages.some((m) => m.content.includes(placeholder))) return messages;
  return messages.map((m) => (m.content.includes(placeholder) ? { role: m.role, content: m.content.replaceAll(placeholder, "").trim() } : m));
}

function countTrained(tokens: RowTokens): number {
  let n = 0;
  for (const l of tokens.labels) if (l !== IGNORE_INDEX) n++;
  return n;
}

/** Action ids must not take the place of the ids templates emit (BOS, EOS, padding, unk, image). */
function checkActionIds(act: ActionTokenizer, tok: TextTokenizer): void {
  if (act.vocabSize !== tok.vocabSize) throw new ConfigError("ACTIONS_VOCAB", `the action tokenizer was made for a vocabulary of ${act.vocabSize}, the tokenizer has ${tok.vocabSize}`);
  for (const [name, id] of [["bos", tok.bosId], ["eos", tok.eosId], ["pad", tok.padId], ["unk", tok.unkId], ["image", tok.imageId]] as const) {
    if (id !== null && act.isActionId(id)) throw new ConfigError("ACTIONS_COLLIDE", `action ids ${act.firstId}..${act.endId - 1} include the ${name} token id ${id}; use placement "append" or a tokenizer with reserved ids`);
  }
}

