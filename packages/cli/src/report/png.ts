import sharp from "sharp";
import { writeFile } from "node:fs/promises";

/** Renders an SVG document to a PNG file with sharp (librsvg); fonts come from the system's fontconfig. */
export async function svgToPng(svg: string, path: string): Promise<void> {
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  await writeFile(path, png);
}
