// What a fuzz case compares: every row a source yields, as plain JSON (image bytes by sha256).
import { createHash } from "node:crypto";
import { batchToRows } from "@cotrain/core";

export const sha = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);

export function plainRow(row) {
  return {
    source: row.source,
    kind: row.kind,
    sample_id: row.sample_id,
    images: row.images.map(sha),
    cameras: row.cameras,
    messages: row.messages.map((m) => [m.role, m.content]),
    action: row.action ? Array.from(row.action) : null,
    action_is_pad: row.action_is_pad,
    state: row.state ? Array.from(row.state) : null,
    episode_index: row.episode_index,
    step_index: row.step_index,
    is_first: row.is_first,
    is_last: row.is_last,
  };
}

/** Drains a source into plain rows (closing it whatever happens); more than `maxRows` rows is itself a failure. */
export async function drain(source, maxRows = 100_000) {
  const rows = [];
  try {
    for (let b = await source.next(); b !== null; b = await source.next()) {
      for (const row of batchToRows(b)) rows.push(plainRow(row));
      if (rows.length > maxRows) throw new Error(`runaway source: more than ${maxRows} rows`);
    }
  } finally {
    await source.close?.();
  }
  return rows;
}

export const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
