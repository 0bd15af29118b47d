// Safe by default: an image path from the data cannot reach a file outside the image root, by `..`, by an
// absolute path, or through a symlink placed under the root (a dataset archive can carry one).
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ValueError, batchToRows, collect } from "@cotrain/core";
import { openLlava } from "@cotrain/vqa";
import { errorOf, makeImage, tmp } from "./fixtures.js";

const inside = await makeImage(1);
const secret = await makeImage(2); // a real image, so no header check stands in for the root check

/** An image root with a real file, a symlink to a file outside, a symlinked folder outside, and an inside link. */
function setup(paths: string[]) {
  const dir = tmp();
  const root = join(dir, "images");
  const elsewhere = join(dir, "elsewhere");
  mkdirSync(join(root, "coco"), { recursive: true });
  mkdirSync(join(elsewhere, "vg"), { recursive: true });
  writeFileSync(join(root, "coco", "a.png"), inside);
  writeFileSync(join(elsewhere, "secret.png"), secret);
  writeFileSync(join(elsewhere, "vg", "b.png"), secret);
  symlinkSync(join(elsewhere, "secret.png"), join(root, "coco", "link-out.png"));
  symlinkSync(join(elsewhere, "vg"), join(root, "vg"));
  symlinkSync(join(root, "coco", "a.png"), join(root, "coco", "link-in.png"));
  const json = join(dir, "data.json");
  writeFileSync(json, JSON.stringify(paths.map((image, i) => ({ id: `q${i}`, image, conversations: [{ from: "human", value: "<image>\nq" }, { from: "gpt", value: "a" }] }))));
  return { dir, root, json };
}

const rowsOf = async (json: string, options: Parameters<typeof openLlava>[1]) => (await collect(openLlava(json, options))).flatMap(batchToRows);

describe.each([true, false])("image paths stay inside the image root (fileThread %s)", (fileThread) => {
  it.each(["../elsewhere/secret.png", "coco/../../elsewhere/secret.png", "/etc/hostname"])("refuses %s as written (VQA_IMAGE_OUTSIDE_ROOT)", async (path) => {
    const { json, root } = setup([path]);
    const err = await errorOf(() => rowsOf(json, { imageRoot: root, fileThread }));
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ code: "VQA_IMAGE_OUTSIDE_ROOT", file: json, row: 0, id: "q0", field: "image" });
  });

  it.each(["coco/link-out.png", "vg/b.png"])("refuses %s, a symlink (to a file, through a folder) leading out of the root", async (path) => {
    const { json, root } = setup(["coco/a.png", path]);
    const err = await errorOf(() => rowsOf(json, { imageRoot: root, fileThread }));
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ code: "VQA_IMAGE_OUTSIDE_ROOT", file: json, row: 1, id: "q1", field: "image" });
    expect((err as Error).message).toContain("symlink");
    // Under "skip" the entry is left out and counted; the secret never reaches a row.
    const reader = openLlava(json, { imageRoot: root, fileThread, onError: "skip" });
    const rows = (await collect(reader)).flatMap(batchToRows);
    expect(rows.map((r) => r.sample_id)).toEqual(["q0"]);
    expect(reader.skipped()).toEqual({ VQA_IMAGE_OUTSIDE_ROOT: 1 });
  });

  it("follows symlinks that stay inside the root, and a root that is itself a symlink", async () => {
    const { dir, root, json } = setup(["coco/link-in.png", "coco/a.png"]);
    const linkedRoot = join(dir, "root-link");
    symlinkSync(root, linkedRoot);
    for (const imageRoot of [root, linkedRoot]) {
      const rows = await rowsOf(json, { imageRoot, fileThread });
      expect(rows.map((r) => Buffer.compare(r.images[0]!, inside))).toEqual([0, 0]);
    }
  });

  it("judges a file by its folder's real path: a linked folder inside passes, one leading out is refused at any depth", async () => {
    const { dir, root } = setup([]);
    symlinkSync(join(root, "coco"), join(root, "alias")); // a folder link that stays inside
    symlinkSync(dir, join(root, "up")); // a folder link to the root's parent: "up/images/coco/a.png" is inside again
    const json = join(dir, "more.json");
    const entries = ["alias/a.png", "up/images/coco/a.png", "alias/link-in.png", "up/elsewhere/vg/b.png"];
    writeFileSync(json, JSON.stringify(entries.map((image, i) => ({ id: `q${i}`, image, conversations: [{ from: "human", value: "<image>\nq" }, { from: "gpt", value: "a" }] }))));
    const reader = openLlava(json, { imageRoot: root, fileThread, onError: "skip" });
    const rows = (await collect(reader)).flatMap(batchToRows);
    expect(rows.map((r) => r.sample_id)).toEqual(["q0", "q1", "q2"]);
    expect(rows.map((r) => Buffer.compare(r.images[0]!, inside))).toEqual([0, 0, 0]);
    expect(reader.skipped()).toEqual({ VQA_IMAGE_OUTSIDE_ROOT: 1 });
  });

  it("follows links out of the root only when told to (allowSymlinksOutsideRoot: a folder the owner linked in)", async () => {
    const { root, json } = setup(["vg/b.png", "coco/link-out.png"]);
    const rows = await rowsOf(json, { imageRoot: root, fileThread, allowSymlinksOutsideRoot: true });
    expect(rows.map((r) => Buffer.compare(r.images[0]!, secret))).toEqual([0, 0]);
  });
});
