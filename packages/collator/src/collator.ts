import type { RecordBatch } from "apache-arrow";
import { ConfigError, ValueError, batchToRows, isInt, stateField } from "@cotrain/core";
import type { CanonicalRow, JsonValue, Message } from "@cotrain/core";
import { IGNORE_INDEX, KIND_ROBOT, KIND_VQA } from "./batch.js";
import type { Batch } from "./batch.js";
import type { ActionTokenizer } from "./actions/action-tokenizer.js";
import { readRowAction, resolveActions } from "./actions/layout.js";
import type { RowAction } from "./actions/layout.js";
import { fillActions } from "./actions/fill.js";
import { describeRow } from "./describe.js";
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

/** The collate function, with its configuration and counters attached. */
export type Collator = ((batch: RecordBatch) => Promise<Batch>) & {
  readonly tokenizer: TextTokenizer;
  readonly template: PromptTemplate;
  readonly actionTokenizer: ActionTokenizer | null;
  /** Ids are < vocabSize (text vocabulary plus appended action tokens). */
  readonly vocabSize: number;
  stats(): CollatorStats;
  resetStats(): void;
  setEpoch(epoch: number): void;
  /** {epoch, sourceNames, stats}: what a checkpoint keeps so source ids and counters continue after a resume. */
  state(): JsonValue;
  restore(state: JsonValue): void;
  /** describeRow bound to this collator's tokenizers. */
  describe(batch: Batch, row: number, options?: { padding?: boolean }): string;
};

/**
 * Turns a canonical RecordBatch (robot and web rows mixed) into a training Batch of typed arrays with the loss
 * masks of DESIGN.md "Loss masking". Deterministic: the same batch, options and epoch give the same arrays.
 */
export function createCollator(options: CollatorOptions): Collator {
  const opts = resolveOptions(options);
  const { tokenizer } = opts;
  const template = resolveTemplate(options.template ?? "openvla");
  const layout = resolveActions(options.actions);
  const actionTok = layout.tokenizer;
  if (actionTok) checkActionIds(actionTok, tokenizer);
  const plan = resolveImages(options.image);
  const sourceNames = [...(options.sourceNames ?? [])];
  const sourceIndex = new Map(sourceNames.map((n, i) => [n, i]));
  let epoch = options.epoch ?? 0;
  if (!Number.isInteger(epoch) || epoch < 0) throw new ConfigError("COLLATOR_EPOCH", `\`epoch\` must be a non-negative integer, got ${epoch}`);
  let stats = emptyStats();
  const ctx: MaskingContext = {
    tokenizer,
    imageTokens: opts.imageTokens,
    actionRange: actionTok ? [actionTok.firstId, actionTok.endId] : null,
    textCollision: opts.textCollision,
    onCollision: () => stats.textIdsInActionRange++,
    cache: new Map(),
  };
  const vocabSize = actionTok ? actionTok.modelVocabSize : tokenizer.vocabSize;

  const tokenizeRow = (row: CanonicalRow, i: number, action: RowAction | null, hasImage: boolean): RowTokens => {
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

  const collate = async (batch: RecordBatch): Promise<Batch> => {
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
      let s = sourceIndex.get(row.source);
      if (s === undefined) {
        s = sourceNames.push(row.source) - 1;
        sourceIndex.set(row.source, s);
      }
      sources[i] = s;
      const action = row.kind === "robot" && layout.format !== "none" ? readRowAction(row, i, layout) : null;
      actions.push(action);
      const slots = pickImages(row, plan, stats);
      picked.push(slots);
      hasImage[i] = slots.some((x) => x !== null) ? 1 : 0;
      if (!hasImage[i]) stats.rowsWithoutImage++;
      return tokenizeRow(row, i, action, hasImage[i] === 1);
    });
    const packed = packRows(tokens, { padding: opts.padding, maxLength: opts.maxLength, multipleOf: opts.multipleOf, padId: tokenizer.padId });
    const act = fillActions(actions, layout, b);
    const k = plan?.slots ?? 1;
    const images = plan ? await fillPixels(picked, rows, plan, epoch) : { pixels: new Float32Array(0), imageMask: new Uint8Array(b * k) };
    if (!plan) picked.forEach((slots, i) => slots.forEach((x, s) => x && (images.imageMask[i * k + s] = 1)));

    stats.batches++;
    stats.rows += b;
    for (const kind of kinds) kind === KIND_ROBOT ? stats.robotRows++ : stats.vqaRows++;
    stats.trainedTokens += packed.numTrainedTokens;
    return {
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
  };

  const setEpoch = (e: number): void => {
    if (!Number.isInteger(e) || e < 0) throw new RangeError(`epoch must be a non-negative integer, got ${e}`);
    epoch = e;
  };
  const restore = (state: JsonValue): void => {
    const e = stateField<number>(state, "epoch", isInt, "collator");
    const names = stateField<string[]>(state, "sourceNames", (v) => Array.isArray(v) && v.every((x) => typeof x === "string"), "collator");
    const saved = stateField<JsonValue>(state, "stats", (v) => typeof v === "object" && v !== null && !Array.isArray(v), "collator");
    if (names.some((n, i) => sourceNames[i] !== undefined && sourceNames[i] !== n)) {
      throw new TypeError(`collator.restore: saved source order ${JSON.stringify(names)} conflicts with ${JSON.stringify(sourceNames)}`);
    }
    setEpoch(e);
    sourceNames.splice(0, sourceNames.length, ...names);
    sourceIndex.clear();
    names.forEach((n, i) => sourceIndex.set(n, i));
    stats = { ...emptyStats(), ...(structuredClone(saved) as unknown as CollatorStats) };
  };

  return Object.assign(collate, {
    tokenizer,
    template,
    actionTokenizer: actionTok,
    vocabSize,
    stats: (): CollatorStats => structuredClone(stats),
    setEpoch,
    state: (): JsonValue => ({ epoch, sourceNames: [...sourceNames], stats: structuredClone(stats) as unknown as JsonValue }),
    restore,
    resetStats: (): void => void (stats = emptyStats()),
    describe: (batch: Batch, row: number, o: { padding?: boolean } = {}): string => describeRow(batch, row, { tokenizer, actionTokenizer: actionTok, ...o }),
  });
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
