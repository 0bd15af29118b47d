import * as tf from "@tensorflow/tfjs-core";
const mode = process.argv[2];
if (mode !== "nocpu") await import("@tensorflow/tfjs-backend-cpu");
await import("@tensorflow/tfjs-backend-wasm");
await tf.setBackend("wasm");
if (mode === "grads") { const { registerGradients } = await import("@cotrain/trainer"); registerGradients(); }
if (mode === "select") { const { selectBackend } = await import("@cotrain/trainer"); await selectBackend("wasm", { log: null }); }
const a = tf.randomNormal([3200,128]); const b = tf.randomNormal([128,512]);
tf.matMul(a,b).dataSync();
const t0=performance.now(); for (let i=0;i<5;i++){ const c=tf.matMul(a,b); c.dataSync(); c.dispose(); }
const ms=(performance.now()-t0)/5; console.log(mode, ms.toFixed(1),'ms');
