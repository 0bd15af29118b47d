import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { runReadmeExample } from "@cotrain/test-utils";
import { parseConfig, trainConfigSchema } from "@cotrain/cli";

const readme = fileURLToPath(new URL("../README.md", import.meta.url));

describe("README", () => {
  it("runs the example and gives the documented results", async () => {
    const mod = await runReadmeExample(readme);
    expect(mod.inspectCode).toBe(0);
    expect(mod.inspected).toMatchObject({ format: "rlds", counts: { episodes: 3, shardFiles: 3, steps: 12 } });
    expect(mod.convertedRows).toBe(12);
    expect(mod.mixCode).toBe(0);
    expect(mod.perBatch).toEqual([{ robot: 2, web: 2 }, { robot: 2, web: 2 }, { robot: 2, web: 2 }]);
    expect(mod.badCode).toBe(1);
    expect(mod.badMessage).toMatch(/field "sources\.robot\.options\.presett": .*unknown key "presett"/);
  });

  it("documents a config file that the schema accepts", () => {
    const block = /```yaml\n([\s\S]*?)```/.exec(readFileSync(readme, "utf8"))?.[1];
    expect(block).toBeDefined();
    const config = parseConfig(YAML.parse(block!), trainConfigSchema);
    expect(Object.keys(config.sources)).toEqual(["bridge", "llava"]);
    expect(config.train.steps).toBe(500);
  });
});
