import { describe, expect, it } from "vitest";
import { batchToRows } from "@cotrain/core";
import { mix } from "@cotrain/mixer";
import type { MixMode } from "@cotrain/mixer";
import { drain, idsOf, rowsSource } from "./helpers.js";
import { webWithoutRobotColumns } from "./schemas.js";

const build = (mode: MixMode, order: "grouped" | "shuffled") =>
  mix({ sources: { robot: rowsSource("robot", 60, { batchSize: 7 }), web: webWithoutRobotColumns(60, 9) }, weights: "1:1", batchSize: 12, mode, order, seed: 8 });

describe("order within a batch", () => {
  for (const mode of ["exact", "sampled"] as const) {
    it(`shuffled (${mode}) holds exactly the grouped batch's rows, values intact, in a seeded permuted order`, async () => {
      const grouped = await drain(build(mode, "grouped"));
      const shuffled = await drain(build(mode, "shuffled"));
      expect(shuffled.length).toBe(grouped.length);
      let moved = 0;
      grouped.forEach((g, k) => {
        const rows = batchToRows(g);
        const byId = new Map(rows.map((r) => [r.sample_id, r]));
        const permuted = batchToRows(shuffled[k]!);
        expect(permuted.map((r) => r.sample_id).sort()).toEqual(rows.map((r) => r.sample_id).sort());
        for (const r of permuted) {
          const same = byId.get(r.sample_id)!;
          expect(r.action === null ? null : [...r.action]).toEqual(same.action === null ? null : [...same.action]);
          expect(r.messages).toEqual(same.messages);
          expect([...r.images[0]!]).toEqual([...same.images[0]!]);
          expect(r.is_first).toBe(same.is_first);
        }
        if (permuted.map((r) => r.sample_id).join() !== rows.map((r) => r.sample_id).join()) moved++;
      });
      expect(moved).toBeGreaterThan(grouped.length / 2);
      // grouped keeps each source's rows together, in source order
      for (const g of grouped) {
        const sources = idsOf(g).map((r) => r.source);
        expect(sources).toEqual([...sources].sort((a, b) => (a === b ? 0 : a === "robot" ? -1 : 1)));
      }
    });
  }
});
