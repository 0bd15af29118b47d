import { StepLog, readJsonLines } from "./json-lines.js";

/** One line of `samples.jsonl`: the rows one optimizer step trained on, in batch order. */
export interface SampleLine {
  step: number;
  epoch: number;
  /** Per row: the source it came from (the mixer's name for it). */
  sources: string[];
  /** Per row: its `sample_id`, unique within its source. */
  ids: string[];
}

export const SAMPLE_LOG_NAME = "samples.jsonl";

/**
 * `samples.jsonl` (TrainConfig `logSampleIds`): what every step consumed, so a run can be audited and a resumed run
 * compared with an uninterrupted one, byte for byte. Lines are appended before the step's checkpoint; on resume the
 * lines after the checkpoint are dropped (StepLog).
 */
export class SampleLog extends StepLog<SampleLine> {}

export const readSampleLog = (path: string): SampleLine[] => readJsonLines<SampleLine>(path);
