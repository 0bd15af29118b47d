// The fuzz targets, one per reader (see each file's header for what it mutates and its oracle).
export const TARGETS = [
  { name: "tfrecord", file: "./tfrecord.mjs" },
  { name: "example", file: "./example.mjs" },
  { name: "rlds-metadata", file: "./rlds-metadata.mjs" },
  { name: "llava", file: "./llava.mjs" },
  { name: "lerobot-meta", file: "./lerobot-meta.mjs" },
  { name: "shards", file: "./shards.mjs" },
  { name: "vision", file: "./vision.mjs" },
  { name: "lerobot-parquet", file: "./lerobot-parquet.mjs" },
  { name: "parquet-vqa", file: "./parquet-vqa.mjs" },
];

export async function loadTarget(name) {
  const entry = TARGETS.find((t) => t.name === name);
  if (!entry) throw new Error(`no fuzz target ${JSON.stringify(name)}; there are: ${TARGETS.map((t) => t.name).join(", ")}`);
  return (await import(entry.file)).default;
}
