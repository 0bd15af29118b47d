import { configureDecoding, transformImages } from "@cotrain/vision";
import { photoLikeJpeg } from "./bench/photo.mjs";
const photo=[]; for (let i=0;i<8;i++) photo.push(await photoLikeJpeg(640,480,100+i));
const N=32; const list=Array.from({length:N},(_,i)=>photo[i%8]); const out=new Float32Array(N*224*224*3);
const cfgs=[]; for (const t of [1,2]) for (const f of [1,2,4,8]) cfgs.push([t,f]);
const best={}, cpu={};
for (let round=0; round<8; round++) for (const [t,f] of cfgs) {
  configureDecoding({vipsThreads:t, inFlight:f}); const k=`${t}x${f}`;
  const c0=process.cpuUsage(); const t0=performance.now(); let n=0;
  while (performance.now()-t0 < 300) { await transformImages(list,{size:224},{out,inFlight:f}); n+=N; }
  const wall=performance.now()-t0; const c=process.cpuUsage(c0);
  best[k]=Math.max(best[k]??0, n*1000/wall); (cpu[k]??=[]).push((c.user+c.system)/1000/n);
}
for (const k in best) { const cs=cpu[k].sort((a,b)=>a-b); console.log(`concurrency ${k[0]}, inFlight ${k.slice(2)}: best ${best[k].toFixed(0)} img/s, cpu ${cs[cs.length>>1].toFixed(2)} ms/img (min ${cs[0].toFixed(2)})`); }
