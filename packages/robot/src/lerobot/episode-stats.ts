import { decodeImage } from "@cotrain/vision";

/** One feature's entry in `meta/episodes_stats.jsonl`, as LeRobot v2.1 writes it. */
export interface FeatureStats {
  min: number[] | number[][][];
  max: number[] | number[][][];
  mean: number[] | number[][][];
  std: number[] | number[][][];
  count: number[];
}

/**
 * Per-dimension min, max, mean and population std (numpy's default, ddof = 0) of `length` rows of `dim` values,
 * accumulated in float64 with a second pass for the variance.
 */
export function vectorStats(values: ArrayLike<number>, dim: number, length: number): FeatureStats {
  const min = new Array<number>(dim).fill(Number.POSITIVE_INFINITY);
  const max = new Array<number>(dim).fill(Number.NEGATIVE_INFINITY);
  const sum = new Float64Array(dim);
  for (let t = 0; t < length; t++) {
    for (let d = 0; d < dim; d++) {
      const v = values[t * dim + d] as number;
      if (v < min[d]!) min[d] = v;
      if (v > max[d]!) max[d] = v;
      sum[d] = (sum[d] as number) + v;
    }
  }
  const mean = Array.from(sum, (s) => (length > 0 ? s / length : 0));
  const sq = new Float64Array(dim);
  for (let t = 0; t < length; t++) {
    for (let d = 0; d < dim; d++) sq[d] = (sq[d] as number) + ((values[t * dim + d] as number) - mean[d]!) ** 2;
  }
  return { min, max, mean, std: Array.from(sq, (s) => (length > 0 ? Math.sqrt(s / length) : 0)), count: [length] };
}

/**
 * The frames LeRobot samples for image statistics: every frame of a short episode, else about n^0.75 of them
 * (at least 100, at most 10,000) spread evenly, as in its compute_stats.
 */
export function sampleIndices(n: number): number[] {
  if (n === 0) return [];
  const k = n < 100 ? n : Math.max(100, Math.min(Math.floor(n ** 0.75), 10_000));
  if (k === 1) return [0];
  return Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1)));
}

/** Per-channel stats of sampled frames with pixels scaled to [0, 1], shaped [3][1][1] like LeRobot's. */
export async function imageStats(frames: readonly Uint8Array[]): Promise<FeatureStats> {
  const picks = sampleIndices(frames.length);
  const channels = 3;
  const min = [1, 1, 1];
  const max = [0, 0, 0];
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  let pixels = 0;
  for (const i of picks) {
    const image = await decodeImage(frames[i] as Uint8Array);
    const { data } = image;
    for (let p = 0; p < data.length; p += image.channels) {
      for (let c = 0; c < channels; c++) {
        const v = (data[p + Math.min(c, image.channels - 1)] as number) / 255;
        if (v < min[c]!) min[c] = v;
        if (v > max[c]!) max[c] = v;
        sum[c] = (sum[c] as number) + v;
        sumSq[c] = (sumSq[c] as number) + v * v;
      }
    }
    pixels += data.length / image.channels;
  }
  const mean = Array.from(sum, (s) => (pixels > 0 ? s / pixels : 0));
  const std = Array.from(sumSq, (s, c) => (pixels > 0 ? Math.sqrt(Math.max(0, s / pixels - mean[c]! ** 2)) : 0));
  const shape = (v: number[]): number[][][] => v.map((x) => [[x]]);
  return { min: shape(min), max: shape(max), mean: shape(mean), std: shape(std), count: [picks.length] };
}
