import { selectBackend, VlaModel, AdamW, prepareBatch, trainStep, tf } from "@cotrain/trainer";
import { Rng } from "@cotrain/core";
function batch(B, T, V) {
  const rng = Rng.from(1);
  const pixels = Float32Array.from({ length: B * 64 * 64 * 3 }, () => rng.float() * 2 - 1);
  const inputIds = Int32Array.from({ length: B * T }, () => rng.int(V));
  const attentionMask = new Int32Array(B * T).fill(1);
  const labels = new Int32Array(B * T).fill(-100);
  const kinds = new Uint8Array(B);
  for (let b = 0; b < B; b++) { kinds[b] = b % 2; if (b % 2) for (let t = T - 8; t < T; t++) labels[b * T + t] = inputIds[b * T + t]; }
  const actionMask = Float32Array.from({ length: B }, (_, b) => (b % 2 ? 0 : 1));
  return { size: B, seqLen: T, pixels, pixelShape: [B, 64, 64, 3], inputIds, attentionMask, labels, actions: new Float32Array(B * 7), actionShape: [B, 7], actionMask, actionMaskShape: [B], kinds, sources: new Int32Array(B), sourceNames: ["x"], sampleIds: [], numTrainedTokens: 0, numActionRows: B / 2, numActionEntries: B / 2, trainedPerRow: new Int32Array(B), hasImage: new Uint8Array(B).fill(1), imageMask: new Uint8Array(B).fill(1), actionFormat: "continuous", vocabSize: V };
}
await selectBackend(process.argv[2] ?? "wasm", { log: null });
const model = VlaModel.create({ vocabSize: 516 }, 0);
const opt = new AdamW();
const p = prepareBatch(batch(32, 32, 516), model.config);
trainStep(model, opt, p, { lambda: 1, actionLoss: "mse", trainable: model.trainableNames(), lr: 1e-3, clipNorm: 1 });
const prof = await tf.profile(() => { trainStep(model, opt, p, { lambda: 1, actionLoss: "mse", trainable: model.trainableNames(), lr: 1e-3, clipNorm: 1 }); });
const agg = new Map();
for (const k of prof.kernels) { const t = await k.kernelTimeMs; const key = k.name + " " + JSON.stringify(k.inputShapes) ; const a = agg.get(key) ?? [0, 0]; a[0] += typeof t === "number" ? t : 0; a[1]++; agg.set(key, a); }
const rows = [...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25);
for (const [k, [ms, n]] of rows) console.log(ms.toFixed(1).padStart(8), n, k.slice(0, 140));
console.log("kernels", prof.kernels.length);
