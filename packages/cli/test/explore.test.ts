import { join } from "node:path";
import { it } from "vitest";
import { cli, robotEpisodes, tempDir, vqaEntries, writeJson, writeLlavaFixture, writeRldsFixture } from "./fixtures.js";

it("explore", async () => {
  const root = tempDir();
  const eps = await robotEpisodes(6);
  const { versionDir } = await writeRldsFixture(root, eps);
  const json = await writeLlavaFixture(root, await vqaEntries(12));
  const cfg = writeJson(join(root, "train.json"), {
    sources: { bridge: { format: "rlds", path: "bridge_dataset", options: { batchSize: 4 }, normalize: { action: "q01_q99", keepGripper: true } }, web: { path: "vqa.json" } },
    mixture: { weights: { bridge: 1, web: 1 }, batchSize: 4, seed: 1, stop: "all_exhausted" },
    collator: { tokenizer: "byte", template: "openvla", actions: { type: "continuous", dim: 7 }, image: { size: 16 }, maxLength: 32, padding: "max" },
    model: { patchSize: 8, dim: 16, layers: 1, heads: 2, mlpRatio: 2, actionHidden: 16 },
    train: { steps: 4, backend: "wasm", optimizer: { lr: 0.01, warmupSteps: 1 }, progress: "lines", logEvery: 1, checkpointEvery: 2 },
    evaluation: { every: 2, robot: { path: "bridge_dataset" }, vqa: { path: "vqa.json" }, normalizeAs: "bridge", maxBatches: 2 },
    runDir: "run",
  });
  let t = Date.now();
  const m = await cli("mix", cfg, "--batches", "5");
  console.log(m.code, m.stdout, m.stderr, Date.now() - t);
  t = Date.now();
  const r = await cli("train", cfg);
  console.log(r.code, r.stdout, r.stderr, Date.now() - t);
  t = Date.now();
  const r2 = await cli("report", join(root, "run"));
  console.log(r2.code, r2.stdout, r2.stderr, Date.now() - t);
  void versionDir;
}, 120000);
