import { mix } from "@cotrain/mixer";
import { fromBatches, rowsToBatch, concatBatches, CANONICAL_SCHEMA } from "@cotrain/core";
const mk=(name,robot)=>Array.from({length:8192},(_,i)=>({source:name,kind:robot?"robot":"vqa",sample_id:`${name}-${i}`,messages:[{role:"user",content:`p`}]}));
const bat=(rows)=>{const o=[];for(let i=0;i<rows.length;i+=100)o.push(rowsToBatch(rows.slice(i,i+100)));return o;};
const R=bat(mk("bridge",true)), W=bat(mk("llava",false));
const pf = +(process.argv[2]??2);
async function mixRun(){ const m=mix({sources:{robot:fromBatches(R),web:fromBatches(W)},weights:"1:1",batchSize:256,seed:1,prefetch:pf}); let rows=0; for(let b=await m.next();b;b=await m.next()) rows+=b.numRows; return rows; }
function concatRun(){ let rows=0; const take=(bs,st,n)=>{const p=[];while(n>0&&st.i<bs.length){const b=bs[st.i];const k=Math.min(n,b.numRows-st.h);p.push(k===b.numRows?b:b.slice(st.h,st.h+k));st.h+=k;n-=k;if(st.h===b.numRows){st.i++;st.h=0;}}return p;};
  const a={i:0,h:0}, c={i:0,h:0}; for(let s=0;s<64;s++){ concatBatches([...take(R,a,128),...take(W,c,128)],CANONICAL_SCHEMA); rows+=256; } return rows; }
const tm=[],tc=[];
for (let r=0;r<40;r++){ let t=process.cpuUsage(); await mixRun(); let u=process.cpuUsage(t); tm.push((u.user+u.system)/1000); t=process.cpuUsage(); concatRun(); u=process.cpuUsage(t); tc.push((u.user+u.system)/1000); }
const med=a=>a.sort((x,y)=>x-y)[a.length>>1];
console.log("per step µs: mix", (med(tm)/64*1000).toFixed(0), "concat", (med(tc)/64*1000).toFixed(0));
