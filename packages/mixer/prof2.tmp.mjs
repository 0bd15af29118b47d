import { mix } from "@cotrain/mixer";
import { fromBatches, rowsToBatch, concatBatches, CANONICAL_SCHEMA } from "@cotrain/core";
const image = new Uint8Array(12_000).map((_, i) => (i * 31) & 0xff);
const mk=(name,robot)=>Array.from({length:8192},(_,i)=>({source:name,kind:robot?"robot":"vqa",sample_id:`${name}-${i}`,images:[image],cameras:["c"],messages:[{role:"user",content:`pick ${i}`}],...(robot?{action:Float32Array.from({length:7}),state:Float32Array.from({length:8}),episode_index:1,step_index:2,is_first:true,is_last:false}:{})}));
const bat=(rows)=>{const o=[];for(let i=0;i<rows.length;i+=100)o.push(rowsToBatch(rows.slice(i,i+100)));return o;};
const R=bat(mk("bridge",true)), W=bat(mk("llava",false));
const pf = +(process.argv[2]??2);
async function mixRun(){ const m=mix({sources:{robot:fromBatches(R),web:fromBatches(W)},weights:"1:1",batchSize:256,seed:1,prefetch:pf}); let rows=0; for(let b=await m.next();b;b=await m.next()) rows+=b.numRows; return rows; }
function concatRun(){ let rows=0; const take=(bs,st,n)=>{const p=[];while(n>0&&st.i<bs.length){const b=bs[st.i];const k=Math.min(n,b.numRows-st.h);p.push(k===b.numRows?b:b.slice(st.h,st.h+k));st.h+=k;n-=k;if(st.h===b.numRows){st.i++;st.h=0;}}return p;};
  const a={i:0,h:0}, c={i:0,h:0}; for(let s=0;s<64;s++){ concatBatches([...take(R,a,128),...take(W,c,128)],CANONICAL_SCHEMA); rows+=256; } return rows; }
const tm=[],tc=[];
for (let r=0;r<30;r++){ globalThis.gc?.(); let t=process.cpuUsage(); await mixRun(); let u=process.cpuUsage(t); tm.push((u.user+u.system)/1000); globalThis.gc?.(); t=process.cpuUsage(); concatRun(); u=process.cpuUsage(t); tc.push((u.user+u.system)/1000); }
const med=a=>a.sort((x,y)=>x-y)[a.length>>1];
const sum=a=>a.reduce((x,y)=>x+y,0); console.log("sumratio",(sum(tm)/sum(tc)).toFixed(3)); console.log("prefetch",pf,"mix med", med(tm).toFixed(1), "concat med", med(tc).toFixed(1), "ratio", (med(tm)/med(tc)).toFixed(3), "min ratio", (Math.min(...tm)/Math.min(...tc)).toFixed(3));
