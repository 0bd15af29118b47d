import { selectBackend, tf } from "@cotrain/trainer";
await selectBackend("wasm", { log: null });
function time(name, f) { f(); const t0 = performance.now(); for (let i = 0; i < 5; i++) tf.tidy(() => { f().dataSync(); }); console.log(name.padEnd(50), ((performance.now() - t0) / 5).toFixed(2), "ms"); }
const a = tf.randomNormal([3072, 96]), dy = tf.randomNormal([3072, 384]), w = tf.randomNormal([96, 384]);
time("A^T dy (transposeA)", () => tf.matMul(a, dy, true, false));
time("transpose(A) dy", () => tf.matMul(tf.transpose(a), dy));
time("dy W^T (transposeB)", () => tf.matMul(dy, w, false, true));
time("dy transpose(W)", () => tf.matMul(dy, tf.transpose(w)));
time("A W plain", () => tf.matMul(a, w));
const q = tf.randomNormal([32, 4, 96, 24]), k = tf.randomNormal([32, 4, 96, 24]), p = tf.randomNormal([32, 4, 96, 96]);
time("q k^T batched rank4 (transposeB)", () => tf.matMul(q, k, false, true));
time("q transpose(k) batched rank4", () => tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])));
time("p v batched rank4", () => tf.matMul(p, k));
const q3 = tf.reshape(q, [128, 96, 24]), kt3 = tf.reshape(tf.transpose(k, [0,1,3,2]), [128, 24, 96]);
time("q kT batched rank3", () => tf.matMul(q3, kt3));
