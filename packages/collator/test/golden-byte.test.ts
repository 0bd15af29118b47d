import { describe, expect, it } from "vitest";
import { rowsToBatch } from "@cotrain/core";
import { ActionTokenizer, IGNORE_INDEX, LLAVA_V1, createByteTokenizer, createCollator } from "@cotrain/collator";
import { robotRow, tinyJpeg, webRow } from "./fixtures.js";

const bytes = (s: string): number[] => Array.from(new TextEncoder().encode(s));
const BOS = 257;
const EOS = 258;
const IMAGE = 259;

/** Builds the expected ids and labels from [trained?, ids] parts. */
function expected(parts: [boolean, number[]][]): { ids: number[]; labels: number[] } {
  const ids = parts.flatMap(([, p]) => p);
  const labels = parts.flatMap(([t, p]) => p.map((id) => (t ? id : IGNORE_INDEX)));
  return { ids, labels };
}

function rowOf(arr: Int32Array, seqLen: number, row: number, length: number): number[] {
  return Array.from(arr.subarray(row * seqLen, row * seqLen + length));
}

describe("golden alignment, byte-level tokenizer", () => {
  const tokenizer = createByteTokenizer();
  const actions = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 4 });

  it("robot row (OpenVLA prompt, action tokens): only the action tokens and EOS are trained", async () => {
    const collate = createCollator({ tokenizer, template: "openvla", actions: { type: "tokens", tokenizer: actions } });
    const batch = await collate(rowsToBatch([robotRow("r0", "pick up the red block", [0, -1, 1, 0.5])]));
    // 256 bins over [-1, 1] at the tail of a 516-id vocabulary: bin 128, 0, 255, 192 → id 515 - bin.
    const want = expected([
      [false, [BOS]],
      [false, bytes("In: What action should the robot take to pick up the red block?\nOut:")],
      [true, [387, 515, 260, 323, EOS]],
    ]);
    expect(batch.seqLen).toBe(want.ids.length);
    expect(Array.from(batch.inputIds)).toEqual(want.ids);
    expect(Array.from(batch.labels)).toEqual(want.labels);
    expect(Array.from(batch.attentionMask)).toEqual(want.ids.map(() => 1));
    expect(batch.numTrainedTokens).toBe(5);
    expect(Array.from(batch.actionMask)).toEqual([1]);
    expect(batch.actionFormat).toBe("tokens");
  });

  it("robot row with robot text on trains the answer text, then the actions and EOS", async () => {
    const collate = createCollator({ tokenizer, template: "openvla", robotText: true, actions: { type: "tokens", tokenizer: actions } });
    const row = robotRow("r1", "open the drawer", [0, 0, 0, 0], { messages: [{ role: "user", content: "open the drawer" }, { role: "assistant", content: "Reaching for the handle." }] });
    const batch = await collate(rowsToBatch([row]));
    const want = expected([
      [false, [BOS]],
      [false, bytes("In: What action should the robot take to open the drawer?\nOut:")],
      [true, bytes(" Reaching for the handle.")],
      [true, [387, 387, 387, 387, EOS]],
    ]);
    expect(Array.from(batch.inputIds)).toEqual(want.ids);
    expect(Array.from(batch.labels)).toEqual(want.labels);
  });

  it("multi-turn web row (LLaVA v1): every assistant turn with its </s> is trained, nothing else", async () => {
    const collate = createCollator({ tokenizer, template: "llava_v1", actions: { type: "continuous", dim: 4 } });
    const jpeg = await tinyJpeg(200, 30, 30);
    const web = webRow("w0", [["<image>\nWhat is in the image?", "A bus."], ["What color is it?", "White and red."]], { images: [jpeg], cameras: [""] });
    const batch = await collate(rowsToBatch([web, robotRow("r0", "pick", [0.1, 0.2, 0.3, 0.4])]));
    const want = expected([
      [false, [BOS]],
      [false, bytes(`${LLAVA_V1.system} USER: `)],
      [false, [IMAGE]],
      [false, bytes("\nWhat is in the image? ASSISTANT:")],
      [true, bytes(" A bus.")],
      [true, [EOS]],
      [false, bytes("USER: What color is it? ASSISTANT:")],
      [true, bytes(" White and red.")],
      [true, [EOS]],
    ]);
    const t = batch.seqLen;
    expect(t).toBe(want.ids.length); // the web row is the longest
    expect(rowOf(batch.inputIds, t, 0, t)).toEqual(want.ids);
    expect(rowOf(batch.labels, t, 0, t)).toEqual(want.labels);
    // Row 1 (robot, continuous actions, robot text off): padded after its prompt, nothing trained.
    const robotPrompt = [BOS, ...bytes(`${LLAVA_V1.system} USER: What action should the robot take to pick? ASSISTANT:`)];
    expect(rowOf(batch.inputIds, t, 1, robotPrompt.length)).toEqual(robotPrompt);
    expect(rowOf(batch.inputIds, t, 1, t).slice(robotPrompt.length)).toEqual(new Array(t - robotPrompt.length).fill(tokenizer.padId));
    expect(rowOf(batch.labels, t, 1, t)).toEqual(new Array(t).fill(IGNORE_INDEX));
    expect(rowOf(batch.attentionMask, t, 1, t)).toEqual([...robotPrompt.map(() => 1), ...new Array(t - robotPrompt.length).fill(0)]);
    expect(Array.from(batch.actionMask)).toEqual([0, 1]);
    expect(Array.from(batch.actions)).toEqual([0, 0, 0, 0, ...Float32Array.from([0.1, 0.2, 0.3, 0.4])]);
    expect(Array.from(batch.kinds)).toEqual([1, 0]);
    expect(batch.sourceNames[batch.sources[0] as number]).toBe("llava");
    expect(batch.sourceNames[batch.sources[1] as number]).toBe("bridge");
    expect(batch.numTrainedTokens).toBe(bytes(" A bus.").length + bytes(" White and red.").length + 2);
  });
});
