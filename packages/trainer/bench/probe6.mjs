import { selectBackend, tf } from "@cotrain/trainer";
await selectBackend("wasm", { log: null });
const r = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const a = tf.tensor2d(r(3072 * 96), [3072, 96]), w = tf.tensor2d(r(96 * 384), [96, 384]);
for (let i = 0; i < 3; i++) {
  tf.tidy(() => {
    const t0 = performance.now(); const c = tf.matMul(a, w); const t1 = performance.now(); c.dataSync(); const t2 = performance.now();
    console.log("in tidy: matmul", (t1 - t0).toFixed(1), "dataSync", (t2 - t1).toFixed(1));
  });
  const t0 = performance.now(); const c = tf.matMul(a, w); const t1 = performance.now(); c.dataSync(); const t2 = performance.now(); c.dispose();
  console.log("outside: matmul", (t1 - t0).toFixed(1), "dataSync", (t2 - t1).toFixed(1));
}
tf.engine().startScope();
{ const t0 = performance.now(); const c = tf.matMul(a, w); console.log("startScope matmul", (performance.now() - t0).toFixed(1)); }
tf.engine().endScope();
