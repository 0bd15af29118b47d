// @cotrain/robot benchmarks: one section per format, each in its own module returning report rows (every figure
// beside a baseline measured in the same run). Run: `npm run bench -- robot` after building the package.
// A new section is a module exporting `async function benchX()` that returns rows, added to SECTIONS.
import { report } from "../../../tools/lib/bench-report.mjs";
import { benchRlds } from "./rlds.mjs";
import { benchLeRobot } from "./lerobot.mjs";

const SECTIONS = [
  ["RLDS", benchRlds],
  ["LeRobot", benchLeRobot],
];

const rows = [];
for (const [name, run] of SECTIONS) {
  const started = Date.now();
  rows.push(...(await run()));
  console.error(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
report("@cotrain/robot", rows);
