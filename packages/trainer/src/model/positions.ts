/**
 * Fixed 2-D sine-cosine position embeddings for a grid of `rows` × `cols` patches (as in MAE): half of the `dim`
 * channels encode the row, half the column, each as sin/cos pairs at geometrically spaced frequencies. Values are
 * in [-1, 1], so a position is as loud as the content of a layer-normalized token. Row-major, [rows·cols, dim].
 */
export function sinCosPositions2d(rows: number, cols: number, dim: number): Float32Array {
  if (dim % 4 !== 0) throw new RangeError(`2-D sine-cosine positions need a width divisible by 4, got ${dim}`);
  const quarter = dim / 4;
  const out = new Float32Array(rows * cols * dim);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const base = (r * cols + c) * dim;
      for (let k = 0; k < quarter; k++) {
        const freq = 1 / 10000 ** (k / quarter);
        out[base + k] = Math.sin(r * freq);
        out[base + quarter + k] = Math.cos(r * freq);
        out[base + 2 * quarter + k] = Math.sin(c * freq);
        out[base + 3 * quarter + k] = Math.cos(c * freq);
      }
    }
  }
  return out;
}
