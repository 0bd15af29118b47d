import { describe, expect, it } from "vitest";
import { Progress } from "@cotrain/trainer";
import type { StepMetrics } from "@cotrain/trainer";

function sink(isTTY: boolean): NodeJS.WritableStream & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const s = { isTTY, columns: 200, write: (c: string) => (chunks.push(String(c)), true), cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => s, removeListener: () => s, text: () => chunks.join("") };
  return s as unknown as NodeJS.WritableStream & { isTTY: boolean; text: () => string };
}

const metrics = (step: number): StepMetrics => ({
  type: "train", step, epoch: 0, loss: 1.5, actionLoss: 0.5, textLoss: 1, lr: 1e-3, gradNorm: 1, rows: 8, actionRows: 4, actionEntries: 4, trainedTokens: 8,
  sourceShares: {}, stepMs: 30, dataWaitMs: 10, samplesPerSec: 200, numTensors: 10, time: "",
});

describe("Progress", () => {
  it("writes plain lines when the output is not a terminal", () => {
    const out = sink(false);
    const p = new Progress({ stream: out, every: 2 });
    p.start(5, 0);
    for (let s = 1; s <= 5; s++) p.update(metrics(s));
    p.log("eval @ step 5");
    p.stop();
    const lines = out.text().trim().split("\n");
    expect(lines.map((l) => l.split(" |")[0])).toEqual(["step 2/5", "step 4/5", "step 5/5", "eval @ step 5"]);
    expect(lines[0]).toContain("loss 1.5000 (action 0.5000, text 1.0000)");
    expect(lines[0]).toContain("200.0 samples/s");
    expect(lines[0]).toContain("data wait 25%");
    expect(lines[0]).toMatch(/ETA \d+s/);
  });

  it("draws a bar with step, losses, samples/s and ETA on a terminal", () => {
    const out = sink(true);
    const p = new Progress({ stream: out });
    p.start(10, 2);
    p.update(metrics(3));
    p.stop();
    expect(out.text()).toContain("step 3/10");
    expect(out.text()).toContain("loss 1.5000 (action 0.5000, text 1.0000) | 200.0 samples/s | data wait 25% | ETA");
  });

  it("is silent in mode none", () => {
    const out = sink(true);
    const p = new Progress({ stream: out, mode: "none" });
    p.start(3, 0);
    p.update(metrics(1));
    p.log("x");
    p.stop();
    expect(out.text()).toBe("");
  });
});
