import { mix } from "@cotrain/mixer";
import { fromBatches, rowsToBatch, concatBatches, CANONICAL_SCHEMA } from "@cotrain/core";
const image = new Uint8Array(12_000).map((_, i) => (i * 31) & 0xff);
const mk=(name,robot)=>Array.from({length:8192},(_,i)=>({source:name,kind:robot?"robot":"vqa",sample_id:`${name}-${i}`,images:[image],cameras:["c"],messages:[{role:"user",content:`pick ${i}`}],...(robot?{action:Float32Array.from({length:7}),state:Float32Array.from({length:8}),episode_index:1,step_index:2,is_first:true,is_last:false}:{})}));
const bat=(rows)=>{const o=[];for(let i=0;i<rows.length;i+=100)o.push(rowsToBatch(rows.slice(i,i+100)));return o;};
const R=bat(mk("bridge",true)), W=bat(mk("llava",false));
const mode=process.argv[2]||"mix";
const t=performance.now(); let rows=0;
for (let rep=0;rep<15;rep++){
 if(mode==="mix"){ const m=mix({sources:{robot:fromBatches(R),web:fromBatches(W)},weights:"1:1",batchSize:256,seed:1, order: process.argv[3]||"grouped"}); for(let b=await m.next();b;b=await m.next()) rows+=b.numRows; }
 else { let ri=0,rh=0,wi=0,wh=0; const take=(bs,st,n)=>{const p=[];while(n>0&&st.i<bs.length){const b=bs[st.i];const k=Math.min(n,b.numRows-st.h);p.push(k===b.numRows?b:b.slice(st.h,st.h+k));st.h+=k;n-=k;if(st.h===b.numRows){st.i++;st.h=0;}}return p;};
  const a={i:0,h:0}, c={i:0,h:0}; for(let s=0;s<32;s++){ concatBatches([...take(R,a,128),...take(W,c,128)],CANONICAL_SCHEMA); rows+=256; } }
}
console.log(mode, (rows/(performance.now()-t)*1000).toFixed(0),"rows/s");
