import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
await tf.setBackend("wasm");
if (process.argv[2] === "prod") tf.env().set("PROD", true);
const a = tf.randomNormal([3200,128]); const b = tf.randomNormal([128,512]);
tf.matMul(a,b).dataSync();
const t0=performance.now(); for (let i=0;i<10;i++){ const c=tf.matMul(a,b); c.dataSync(); c.dispose(); }
const ms=(performance.now()-t0)/10; console.log(process.argv[2], ms.toFixed(1),'ms');
