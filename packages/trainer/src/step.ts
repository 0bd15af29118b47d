import type { Rng } from "@cotrain/core";
import { tf } from "./tf.js";
import type { Tensor } from "./tf.js";
import type { PreparedBatch } from "./model/inputs.js";
import type { ModelInputs, VlaModel } from "./model/vla.js";
import { toTensors } from "./model/vla.js";
import { combineLosses, maskedActionLoss, maskedCrossEntropy } from "./loss.js";
import type { ActionLossKind, LossTerms } from "./loss.js";
import type { AdamW } from "./optimizer/adamw.js";
import { globalNormClip } from "./optimizer/clip.js";

/** Every tensor one step needs, made from a PreparedBatch; disposed by `disposeBatchTensors`. */
export interface BatchTensors {
  inputs: ModelInputs;
  targets: Tensor;
  textWeights: Tensor;
  actionTokenWeights: Tensor;
  actions: Tensor;
  actionWeights: Tensor;
}

export function batchTensors(prepared: PreparedBatch, model: VlaModel): BatchTensors {
  const B = prepared.size;
  const width = prepared.actions.length / B;
  return {
    inputs: toTensors(prepared, model.config),
    targets: tf.tensor1d(prepared.targets, "int32"),
    textWeights: tf.tensor1d(prepared.textWeights, "float32"),
    actionTokenWeights: tf.tensor1d(prepared.actionTokenWeights, "float32"),
    actions: tf.tensor2d(prepared.actions, [B, width], "float32"),
    actionWeights: tf.tensor2d(prepared.actionWeights, [B, width], "float32"),
  };
}

export function disposeBatchTensors(t: BatchTensors): void {
  tf.dispose([...Object.values(t.inputs), t.targets, t.textWeights, t.actionTokenWeights, t.actions, t.actionWeights]);
}

export interface LossOptions {
  /** Weight of the text loss (L = L_action + lambda · L_text). */
  lambda: number;
  actionLoss: ActionLossKind;
  dropout?: { rng: Rng; rate: number };
}

/**
 * The masked co-training loss of one batch. Continuous mode: the action head's error over masked-in entries;
 * tokens mode: cross-entropy over action-token positions. Text: cross-entropy over trained text labels. Must run
 * inside tf.tidy / variableGrads (intermediates are freed there).
 */
export function batchLosses(model: VlaModel, prepared: PreparedBatch, t: BatchTensors, options: LossOptions): LossTerms {
  const c = model.config;
  const out = model.forward(t.inputs, { dropout: options.dropout });
  const logits = out.textLogits as Tensor;
  const text = maskedCrossEntropy(logits, t.targets, t.textWeights, prepared.counts.textTokens);
  const action =
    c.actionMode === "continuous"
      ? maskedActionLoss(out.actions as Tensor, t.actions, t.actionWeights, prepared.counts.actionEntries * c.actionDim, options.actionLoss)
      : maskedCrossEntropy(logits, t.targets, t.actionTokenWeights, prepared.counts.actionTokens);
  return combineLosses(action, text, options.lambda);
}

export interface StepResult {
  loss: number;
  actionLoss: number;
  textLoss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

export interface TrainStepOptions extends LossOptions {
  /** Logical names of the parameters to update (the rest are frozen). */
  trainable: readonly string[];
  lr: number;
  clipNorm: number;
}

/**
 * One optimizer step. Owns and frees every tensor it makes (batch tensors, gradients, clip scale); the only
 * data read back is four numbers, in one sync at the end. tf.memory().numTensors is the same before and after.
 */
export function trainStep(model: VlaModel, optimizer: AdamW, prepared: PreparedBatch, options: TrainStepOptions): StepResult {
  const t = batchTensors(prepared, model);
  const tfNameToParam = new Map<string, string>();
  const vars = options.trainable.map((name) => {
    const v = model.params.get(name);
    if (v === undefined) throw new Error(`trainStep: no parameter named ${name}`);
    tfNameToParam.set(v.name, name);
    return v;
  });
  let parts: Tensor | undefined;
  let result: { value: Tensor; grads: Record<string, Tensor> } | undefined;
  let clip: { norm: Tensor; scale: Tensor } | undefined;
  try {
    result = tf.variableGrads(() => {
      const terms = batchLosses(model, prepared, t, options);
      parts = tf.keep(tf.stack([terms.total, terms.action, terms.text]));
      return terms.total as tf.Scalar;
    }, vars);
    const grads = new Map<string, Tensor>();
    for (const [tfName, g] of Object.entries(result.grads)) grads.set(tfNameToParam.get(tfName) as string, g);
    clip = globalNormClip([...grads.values()], options.clipNorm);
    optimizer.apply(model.params, grads, options.lr, clip.scale);
    const values = tf.tidy(() => tf.concat([parts as Tensor, tf.reshape(clip!.norm, [1])]).dataSync());
    return { loss: values[0] as number, actionLoss: values[1] as number, textLoss: values[2] as number, gradNorm: values[3] as number };
  } finally {
    disposeBatchTensors(t);
    if (parts) parts.dispose();
    if (result) tf.dispose([result.value, ...Object.values(result.grads)]);
    if (clip) tf.dispose([clip.norm, clip.scale]);
  }
}
