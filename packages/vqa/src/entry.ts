/**
 * One VQA sample as the writers take it: the LLaVA shape (`from`/`value` turns), with the images carried as
 * paths and, optionally, their encoded bytes. A path is relative to the image root (LLaVA JSON) or stored as the
 * `path` of the image struct (Parquet). Entries without images are text-only conversations.
 */
export interface VqaImage {
  /** Relative path under the image root, e.g. "coco/train2017/000000033471.jpg". */
  path: string;
  /** Encoded JPEG/PNG/WebP bytes; the writers store them (as a file under the image root, or in the struct). */
  bytes?: Uint8Array;
}

export type VqaSpeaker = "human" | "gpt" | "system";

export interface VqaTurn {
  from: VqaSpeaker;
  value: string;
}

export interface VqaEntry {
  id: string;
  images: VqaImage[];
  conversations: VqaTurn[];
}
