// The file thread (reader option `fileThread`, default true) against the asynchronous path it replaces: the same
// rows, bytes, errors and skips; its blocking read's handling of files that change size; and its life (started on
// a read, ended by stop, the end of the data, or a dropped reader). Fixtures: small PNGs from fixtures.ts, written
// under a fresh temporary image root with a missing file, a folder where a file should be and a symlink out.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchToRows, collect } from "@cotrain/core";
import { openFdCount } from "@cotrain/test-utils";
import { openLlava } from "@cotrain/vqa";
import { FileThread } from "../src/file-thread/file-thread.js";
import { readFilesSync } from "../src/file-thread/read-files-sync.js";
import type { SyncImageRootGuard } from "../src/file-thread/sync-guard.js";
import { errorOf, makeImage, tmp } from "./fixtures.js";

const images = await Promise.all([0, 1, 2, 3, 4].map((s) => makeImage(s)));

function dataset(): { json: string; root: string; dir: string } {
  const dir = tmp();
  const root = join(dir, "images");
  mkdirSync(join(root, "sub", "folder.png"), { recursive: true }); // a folder named like an image
  images.forEach((bytes, k) => writeFileSync(join(root, "sub", `${k}.png`), bytes));
  writeFileSync(join(dir, "outside.png"), images[0] as Uint8Array);
  symlinkSync(join(dir, "outside.png"), join(root, "sub", "out.png"));
  const paths = ["sub/0.png", "sub/1.png", "sub/absent.png", "sub/2.png", "sub/folder.png", "sub/3.png", "sub/out.png", "sub/4.png", "sub/1.png", null, "sub/0.png"];
  const entries = paths.map((image, i) => ({ id: `q${i}`, ...(image === null ? {} : { image }), conversations: [{ from: "human", value: image === null ? "q" : "<image>\nq" }, { from: "gpt", value: `a${i}` }] }));
  const json = join(dir, "data.json");
  writeFileSync(json, JSON.stringify(entries));
  return { json, root, dir };
}

describe("the file thread", () => {
  it("gives the rows, bytes and skip counts of the asynchronous path, and raises the same first error", async () => {
    const { json, root } = dataset();
    const read = async (fileThread: boolean) => {
      const reader = openLlava(json, { imageRoot: root, batchSize: 3, onError: "skip", fileThread });
      const rows = (await collect(reader)).flatMap(batchToRows);
      return { ids: rows.map((r) => r.sample_id), images: rows.map((r) => r.images.map((b) => Buffer.from(b).toString("hex"))), skipped: reader.skipped() };
    };
    const threaded = await read(true);
    expect(threaded.ids).toEqual(["q0", "q1", "q3", "q5", "q7", "q8", "q9", "q10"]);
    expect(threaded.images[0]).toEqual([Buffer.from(images[0] as Uint8Array).toString("hex")]);
    expect(threaded.skipped).toEqual({ VQA_IMAGE_MISSING: 1, VQA_IMAGE_UNREADABLE: 1, VQA_IMAGE_OUTSIDE_ROOT: 1 });
    expect(threaded).toEqual(await read(false));
    for (const fileThread of [true, false]) {
      const err = await errorOf(() => collect(openLlava(json, { imageRoot: root, batchSize: 3, fileThread })));
      expect(err).toMatchObject({ name: "MissingError", code: "VQA_IMAGE_MISSING", row: 2, id: "q2", field: "image" });
      expect((err as Error).message).toContain("ENOENT");
    }
  });

  it("reads a file that shrank since it was sized whole on its own, and one that grew up to its size", () => {
    const dir = tmp();
    writeFileSync(join(dir, "a.bin"), Buffer.from("0123456789"));
    writeFileSync(join(dir, "b.bin"), Buffer.from("abcdef"));
    // A guard that reports stale sizes: a.bin as 14 bytes (it shrank to 10), b.bin as 4 (it grew to 6).
    const stale = { inspect: (path: string) => ({ outside: null, size: path.endsWith("a.bin") ? 14 : 4 }) } as unknown as SyncImageRootGuard;
    let buffer = new ArrayBuffer(0);
    const { total, outcomes } = readFilesSync([join(dir, "a.bin"), join(dir, "b.bin")], stale, (size) => (buffer = new ArrayBuffer(size)));
    expect(buffer.byteLength).toBe(18);
    expect(total).toBe(18);
    const [a, b] = outcomes;
    expect(a && "own" in a ? Buffer.from(a.own).toString() : a).toBe("0123456789");
    expect(b).toEqual({ offset: 14, length: 4 });
    expect(Buffer.from(buffer, 14, 4).toString()).toBe("abcd");
  });

  it("starts on a read, fails a read in flight when stopped, starts again, and leaves no descriptor once stopped", async () => {
    const { root } = dataset();
    const files = new FileThread(root);
    const before = openFdCount();
    const first = await files.read([join(root, "sub", "0.png"), join(root, "sub", "absent.png"), join(root, "sub", "out.png")]);
    expect(Buffer.compare(first[0] as Uint8Array, images[0] as Uint8Array)).toBe(0);
    expect(first[1]).toBeInstanceOf(Error);
    expect(first[1]).toMatchObject({ code: "ENOENT", syscall: "stat", path: join(root, "sub", "absent.png") });
    expect(first[2]).toMatchObject({ outside: expect.stringContaining("outside.png") });
    const inFlight = files.read([join(root, "sub", "1.png")]).then(() => "read", (error: Error) => error.message);
    await files.stop();
    expect(await inFlight).toMatch(/stopped with this read unfinished/);
    // At most as many as before: the thread's own are gone (another test's may have closed meanwhile).
    if (before !== null) expect(openFdCount()).toBeLessThanOrEqual(before);
    const again = await files.read([join(root, "sub", "2.png")]);
    expect(Buffer.compare(again[0] as Uint8Array, images[2] as Uint8Array)).toBe(0);
    await files.stop();
  });
});
