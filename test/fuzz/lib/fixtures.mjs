// Small fixtures for the fuzz targets, written by the project's own writers: images encoded by sharp, robot
// episodes (Bridge layout: four cameras, 7-D action and state), VQA entries.
import sharp from "sharp";

/** A size×size image whose pixels depend on `seed`, so every frame's bytes differ. */
export async function image(seed, format = "jpeg", size = 8) {
  const pixels = Buffer.alloc(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (seed * 37 + i * 11) & 0xff;
  const img = sharp(pixels, { raw: { width: size, height: size, channels: 3 } });
  return new Uint8Array(await (format === "png" ? img.png() : img.jpeg({ quality: 80 })).toBuffer());
}

/** Bridge-style episodes (cameras image_0..image_3), lengths as given. */
export async function bridgeEpisodes(lengths) {
  const out = [];
  for (const [index, length] of lengths.entries()) {
    const cameras = [];
    for (let c = 0; c < 4; c++) {
      const frames = [];
      for (let t = 0; t < length; t++) frames.push(await image(index * 100 + c * 10 + t));
      cameras.push({ name: `image_${c}`, frames });
    }
    out.push({
      source: "bridge", index, id: `traj${index}`, length, cameras,
      actions: Float32Array.from({ length: length * 7 }, (_, i) => Math.fround(Math.sin(index + i) / 3)), actionDim: 7,
      states: Float32Array.from({ length: length * 7 }, (_, i) => Math.fround(Math.cos(index + i))), stateDim: 7,
      instructions: new Array(length).fill(index % 2 ? "put the spoon in the pot" : "open the drawer"),
    });
  }
  return out;
}

/** VQA entries: some with one image, one with two, one text-only. */
export async function vqaEntries(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const images = i % 4 === 3 ? [] : [{ path: `coco/${i}.jpg`, bytes: await image(500 + i) }];
    if (i === 1) images.push({ path: "vg/extra.png", bytes: await image(999, "png") });
    out.push({ id: `q${i}`, images, conversations: [{ from: "human", value: `${images.length ? "<image>\n" : ""}What is shown in picture ${i}?` }, { from: "gpt", value: `Answer ${i}: a pattern.` }, { from: "human", value: "Are you sure?" }, { from: "gpt", value: "Yes." }] });
  }
  return out;
}
