import { mix } from "@cotrain/mixer";
import { fromBatches, rowsToBatch } from "@cotrain/core";
const mk=(name)=>Array.from({length:8192},(_,i)=>({source:name,kind:"vqa",sample_id:`${name}-${i}`,messages:[{role:"user",content:`p`}]}));
const bat=(rows)=>{const o=[];for(let i=0;i<rows.length;i+=100)o.push(rowsToBatch(rows.slice(i,i+100)));return o;};
const R=bat(mk("bridge")), W=bat(mk("llava"));
for (let r=0;r<60;r++){ const m=mix({sources:{robot:fromBatches(R),web:fromBatches(W)},weights:"1:1",batchSize:256,seed:1,prefetch:2}); for(let b=await m.next();b;b=await m.next()); }
