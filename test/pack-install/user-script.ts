// A user's script, type-checked and run against the @cotrain packages installed from `npm pack` tarballs:
// an RLDS source and a LLaVA source mixed 1:1 in every batch, collated, and the loss masks printed.
import { openRlds } from "@cotrain/robot";
import { openLlava } from "@cotrain/vqa";
import { mix } from "@cotrain/mixer";
import { IGNORE_INDEX, KIND_ROBOT, createCollator } from "@cotrain/collator";
import type { Batch } from "@cotrain/collator";

const [rldsDir, llavaJson] = process.argv.slice(2);
if (rldsDir === undefined || llavaJson === undefined) throw new Error("usage: node user-script.js RLDS_DIR LLAVA_JSON");

const robot = await openRlds(rldsDir, { preset: "bridge", split: "train", source: "bridge", batchSize: 4 });
const web = openLlava(llavaJson, { source: "llava", batchSize: 4 });
const batches = mix({ sources: { bridge: robot, llava: web }, weights: { bridge: 1, llava: 1 }, batchSize: 4, mode: "exact", seed: 1, stop: { steps: 2 } });
const collate = createCollator({ tokenizer: "byte", template: "openvla", actions: { type: "continuous", dim: 7 }, image: { size: 32, cameras: "first" } });

for (let rows = await batches.next(), step = 0; rows !== null; rows = await batches.next(), step++) {
  const batch: Batch = await collate(rows);
  for (let i = 0; i < batch.size; i++) {
    const labels = batch.labels.subarray(i * batch.seqLen, (i + 1) * batch.seqLen);
    const mask = Array.from(labels, (l) => (l === IGNORE_INDEX ? 0 : 1)).join("");
    const kind = batch.kinds[i] === KIND_ROBOT ? "robot" : "web";
    console.log(`step ${step} row ${i} ${kind} ${batch.sourceNames[batch.sources[i] ?? -1]} ${batch.sampleIds[i]} action_mask=${batch.actionMask[i]} labels=${mask}`);
  }
}
await batches.close?.();
