#!/usr/bin/env python3
"""The baseline a Python user runs today: a PyTorch DataLoader over LLaVA instruct JSON.

Per sample: PIL decode, convert("RGB"), bilinear resize of the shorter side to SIZE and a centre crop (torchvision's
Resize + CenterCrop, written with PIL so torchvision is not needed), pixels as float32 in [0, 1]; the conversation in
the llava_v1 template as byte tokens (ids = UTF-8 bytes + 3, as cotrain's byte tokenizer), labels -100 on the system
prompt, the questions and padding. Batches are padded to the longest row. Prints one JSON line with samples/s.

Needs Debian's python3-torch and python3-pil (apt-get install python3-torch python3-pil); the loader bench
(`npm run bench -- loader`) runs it and skips it with a message when they are missing.

usage: llava_dataloader.py JSON IMAGE_ROOT [--workers N] [--batch-size B] [--size S] [--limit N] [--draft] [--per-image N]
  --draft: let PIL decode JPEGs at a reduced DCT scale first (Image.draft, as Image.thumbnail does): the
           counterpart of cotrain's `shrinkOnLoad`, so that option is compared with the same trick in PIL
  --per-image N: instead, CPU ms per image of PIL's decode and decode+resize on the first N distinct images
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

SYSTEM = ("A chat between a curious human and an artificial intelligence assistant. "
          "The assistant gives helpful, detailed, and polite answers to the human's questions.")
IGNORE = -100
BOS, EOS, PAD, OFFSET = 1, 2, 0, 3


def encode(text):
    return [b + OFFSET for b in text.encode("utf-8")]


class LlavaDataset(Dataset):
    def __init__(self, json_path, image_root, size, draft=False):
        with open(json_path, "r", encoding="utf-8") as f:
            self.entries = json.load(f)
        self.root = image_root
        self.size = size
        self.draft = draft

    def __len__(self):
        return len(self.entries)

    def image(self, path):
        img = Image.open(os.path.join(self.root, path))
        if self.draft:
            # draft() picks the largest scale that keeps the image at least this size; cover needs the shorter
            # side at SIZE, so ask for a box with that side.
            w, h = img.size
            scale = self.size / min(w, h)
            img.draft("RGB", (max(1, round(w * scale)), max(1, round(h * scale))))
        img = img.convert("RGB")
        w, h = img.size
        scale = self.size / min(w, h)
        rw, rh = max(self.size, round(w * scale)), max(self.size, round(h * scale))
        img = img.resize((rw, rh), Image.BILINEAR)
        left, top = (rw - self.size) // 2, (rh - self.size) // 2
        img = img.crop((left, top, left + self.size, top + self.size))
        return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0)

    def __getitem__(self, i):
        e = self.entries[i]
        ids, labels = [BOS] + encode(SYSTEM + " "), None
        labels = [IGNORE] * len(ids)
        for turn in e["conversations"]:
            text = turn["value"].replace("<image>", "").strip()
            if turn["from"] == "human":
                part = encode(f"USER: {text} ASSISTANT:")
                ids += part
                labels += [IGNORE] * len(part)
            else:
                part = encode(f" {text}") + [EOS]
                ids += part
                labels += part
        pixels = self.image(e["image"]) if "image" in e else torch.zeros(self.size, self.size, 3)
        return ids, labels, pixels, "image" in e


def collate(rows):
    n = max(len(r[0]) for r in rows)
    ids = torch.full((len(rows), n), PAD, dtype=torch.int32)
    labels = torch.full((len(rows), n), IGNORE, dtype=torch.int32)
    mask = torch.zeros((len(rows), n), dtype=torch.uint8)
    for i, (a, l, _, _) in enumerate(rows):
        ids[i, : len(a)] = torch.tensor(a, dtype=torch.int32)
        labels[i, : len(l)] = torch.tensor(l, dtype=torch.int32)
        mask[i, : len(a)] = 1
    pixels = torch.stack([r[2] for r in rows])
    has_image = torch.tensor([r[3] for r in rows], dtype=torch.uint8)
    return ids, mask, labels, pixels, has_image


def per_image(ds, n):
    import io
    paths = list(dict.fromkeys(e["image"] for e in ds.entries if "image" in e))[:n]
    blobs = [open(os.path.join(ds.root, p), "rb").read() for p in paths]

    def cpu_ms(fn):
        fn(blobs[0])
        start = time.process_time()
        for b in blobs:
            fn(b)
        return (time.process_time() - start) * 1000 / len(blobs)

    def decode(b):
        return Image.open(io.BytesIO(b)).convert("RGB")

    def decode_resize(b):
        img = decode(b)
        w, h = img.size
        scale = ds.size / min(w, h)
        img = img.resize((max(ds.size, round(w * scale)), max(ds.size, round(h * scale))), Image.BILINEAR)
        return np.asarray(img)

    print(json.dumps({"images": len(blobs), "decode_ms": cpu_ms(decode), "decode_resize_ms": cpu_ms(decode_resize)}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("json")
    p.add_argument("image_root")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--limit", type=int, default=0, help="stop after this many samples (0: one epoch)")
    p.add_argument("--draft", action="store_true", help="decode JPEGs at a reduced DCT scale (PIL draft)")
    p.add_argument("--per-image", type=int, default=0, help="measure PIL's CPU ms per image instead")
    a = p.parse_args()
    torch.set_num_threads(1)
    ds = LlavaDataset(a.json, a.image_root, a.size, a.draft)
    if a.per_image:
        per_image(ds, a.per_image)
        return
    loader = DataLoader(ds, batch_size=a.batch_size, num_workers=a.workers, collate_fn=collate, shuffle=False,
                        persistent_workers=False, prefetch_factor=2 if a.workers > 0 else None)
    start = time.perf_counter()
    n = 0
    for ids, mask, labels, pixels, has_image in loader:
        n += ids.shape[0]
        if a.limit and n >= a.limit:
            break
    s = time.perf_counter() - start
    print(json.dumps({"samples": n, "seconds": s, "samples_per_s": n / s, "workers": a.workers, "draft": a.draft,
                      "torch": torch.__version__, "python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
