import sharp from "sharp";

/** Encodes RGB HWC bytes with sharp (an independent encoder: the package under test only decodes). */
export async function encode(pixels: Uint8Array, width: number, height: number, format: "png" | "jpeg" | "webp", channels: 1 | 3 | 4 = 3): Promise<Uint8Array> {
  const img = sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels } });
  const out = format === "png" ? img.png() : format === "jpeg" ? img.jpeg({ quality: 95 }) : img.webp({ lossless: true });
  return new Uint8Array(await out.toBuffer());
}

/** An image filled per pixel by `color(x, y)` → [r, g, b]. */
export function paint(width: number, height: number, color: (x: number, y: number) => readonly [number, number, number]): Uint8Array {
  const px = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = color(x, y);
      px.set([r, g, b], (y * width + x) * 3);
    }
  }
  return px;
}

export function pixelAt(data: Uint8Array, width: number, x: number, y: number): [number, number, number] {
  const o = (y * width + x) * 3;
  return [data[o] as number, data[o + 1] as number, data[o + 2] as number];
}

export function meanAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}

/** A lossless position code: R = x, G = y (sources up to 256 px), B = 128. */
export function positionCode(width: number, height: number): Uint8Array {
  return paint(width, height, (x, y) => [x, y, 128]);
}
