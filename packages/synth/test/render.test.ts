import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { Rng } from "@cotrain/core";
import { decodeImage } from "@cotrain/vision";
import { OBJECT_TYPES, makeScene, placeGripper, renderView, renderViews, sceneSvg } from "@cotrain/synth";
import type { SceneObject, SceneView } from "@cotrain/synth";

function views(n: number, seed = 1): SceneView[] {
  const rng = Rng.from(seed, "render-test");
  return Array.from({ length: n }, () => {
    const objects = makeScene(rng);
    return { objects, gripper: placeGripper(rng, objects), held: null };
  });
}

describe("rendering", () => {
  it("gives identical JPEG bytes for the same view (sharp + librsvg + mozjpeg are deterministic)", async () => {
    const [view] = views(1);
    if (!view) throw new Error("no view");
    const a = await renderView(view);
    const b = await renderView(structuredClone(view));
    const c = await sharp(Buffer.from(sceneSvg(view, 64))).removeAlpha().jpeg({ quality: 90, chromaSubsampling: "4:4:4" }).toBuffer();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // The sheet path gives exactly what rendering the view's SVG alone gives.
    expect(Buffer.from(a).equals(c)).toBe(true);
    expect([a[0], a[1]]).toEqual([0xff, 0xd8]);
  });

  it("renders each view of a sheet to the bytes it gets alone, at every size", async () => {
    for (const size of [32, 64, 128]) {
      const vs = views(7, size);
      const sheet = await renderViews(vs, { size });
      for (const [i, v] of vs.entries()) expect(Buffer.from(sheet[i] as Uint8Array).equals(Buffer.from(await renderView(v, { size }))), `${size}/${i}`).toBe(true);
      const decoded = await decodeImage(sheet[0] as Uint8Array);
      expect([decoded.width, decoded.height, decoded.channels]).toEqual([size, size, 3]);
      expect(new Set(sheet.map((b) => Buffer.from(b).toString("base64"))).size).toBe(7);
    }
  });

  it("draws the gripper where its state says, so the target offset is visible", async () => {
    for (const view of views(12, 9)) {
      const hidden = { ...view, gripper: { ...view.gripper, x: -5 } };
      const [a, b] = await Promise.all([decodeImage(await renderView(view, { size: 64 })), decodeImage(await renderView(hidden, { size: 64 }))]);
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (let p = 0; p < 64 * 64; p++) {
        const diff = Math.abs((a.data[p * 3] as number) - (b.data[p * 3] as number)) + Math.abs((a.data[p * 3 + 1] as number) - (b.data[p * 3 + 1] as number)) + Math.abs((a.data[p * 3 + 2] as number) - (b.data[p * 3 + 2] as number));
        if (diff > 300) {
          sx += p % 64;
          sy += Math.floor(p / 64);
          n++;
        }
      }
      expect(n).toBeGreaterThan(15);
      expect(Math.abs(sx / n / 64 - view.gripper.x)).toBeLessThan(0.05);
      expect(Math.abs(sy / n / 64 - view.gripper.y)).toBeLessThan(0.05);
    }
  });

  it("draws each object where the scene says", async () => {
    for (const view of views(6, 4)) {
      const full = await decodeImage(await renderView(view));
      for (const [i, o] of view.objects.entries()) {
        const without = await decodeImage(await renderView({ ...view, objects: view.objects.filter((_, k) => k !== i) }));
        let sx = 0;
        let sy = 0;
        let n = 0;
        for (let p = 0; p < 64 * 64; p++) {
          let diff = 0;
          for (let ch = 0; ch < 3; ch++) diff += Math.abs((full.data[p * 3 + ch] as number) - (without.data[p * 3 + ch] as number));
          if (diff > 120) {
            sx += p % 64;
            sy += Math.floor(p / 64);
            n++;
          }
        }
        expect(n, o.type).toBeGreaterThan(10);
        expect(Math.hypot(sx / n / 64 - o.x, sy / n / 64 - o.y), o.type).toBeLessThan(0.05);
      }
    }
  });

  it("draws every object type distinctly and in its color", async () => {
    const images = new Set<string>();
    for (const type of OBJECT_TYPES) {
      const object: SceneObject = { type, category: "toy", color: "blue", x: 0.5, y: 0.5, yaw: 0 };
      const image = await decodeImage(await renderView({ objects: [object], gripper: { x: -5, y: 0, z: 0.1, yaw: 0, open: 1 }, held: null }, { size: 64 }));
      images.add(Buffer.from(image.data).toString("base64"));
      let blue = 0;
      for (let p = 0; p < 64 * 64; p++) if ((image.data[p * 3 + 2] as number) > 150 && (image.data[p * 3] as number) < 90) blue++;
      expect(blue, type).toBeGreaterThan(8);
    }
    expect(images.size).toBe(OBJECT_TYPES.length);
  });

  it("rejects sizes and qualities out of range", async () => {
    const [view] = views(1);
    await expect(renderView(view as SceneView, { size: 8 })).rejects.toThrow(/imageSize/);
    await expect(renderView(view as SceneView, { quality: 0 })).rejects.toThrow(/jpegQuality/);
  });
});
