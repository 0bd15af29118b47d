import { selectBackend, tf } from "@cotrain/trainer";
await selectBackend(process.argv[2] ?? "wasm", { log: null });
const r = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const run = (name, f) => { const ts = []; for (let i = 0; i < 4; i++) { const t0 = performance.now(); tf.tidy(() => f().dataSync()); ts.push((performance.now() - t0).toFixed(1)); } console.log(name.padEnd(28), ts.join(" ")); };
for (const [M, K, N] of [[3072, 96, 384], [3072, 128, 384], [3072, 96, 96], [3200, 128, 512], [3072, 384, 96], [1024, 96, 516]]) {
  const a = tf.tensor2d(r(M * K), [M, K]), w = tf.tensor2d(r(K * N), [K, N]);
  run(`${M}x${K}x${N}`, () => tf.matMul(a, w));
}
const a = tf.tensor2d(r(3072 * 96), [3072, 96]);
const w = tf.tensor2d(r(96 * 384), [96, 384]);
run("3072x96x384 again", () => tf.matMul(a, w));
const wt = tf.transpose(w);
run("3072x96x384 w^T transposed", () => tf.matMul(a, wt, false, true));
const a3 = tf.reshape(a, [1, 3072, 96]);
run("batched [1,3072,96]", () => tf.matMul(a3, tf.reshape(w, [1, 96, 384])));
