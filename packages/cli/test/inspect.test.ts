import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InspectReport } from "@cotrain/cli";
import type { Episode } from "@cotrain/robot";
import type { VqaEntry } from "@cotrain/vqa";
import { cli, robotEpisodes, tempDir, vqaEntries, writeLeRobotFixture, writeLlavaFixture, writeParquetFixture, writeRldsFixture } from "./fixtures.js";

const steps = (episodes: Episode[]): number => episodes.reduce((n, e) => n + e.length, 0);

describe("cotrain inspect", () => {
  const root = tempDir("cotrain-cli-inspect-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let episodes: Episode[];
  let entries: VqaEntry[];
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    episodes = await robotEpisodes(5);
    entries = await vqaEntries(9);
    paths.rlds = (await writeRldsFixture(root, episodes, 3)).datasetDir;
    paths.lerobot = await writeLeRobotFixture(join(root, "lerobot"), episodes);
    paths.llava = await writeLlavaFixture(root, entries);
    paths.parquet = await writeParquetFixture(join(root, "vqa.parquet"), entries);
  });

  const inspectJson = async (...args: string[]): Promise<InspectReport> => {
    const run = await cli("inspect", ...args, "--json");
    expect(run.stderr).not.toMatch(/cotrain: /);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as InspectReport;
  };

  it("reads RLDS counts from dataset_info.json and counts steps by streaming, with episode-start samples", async () => {
    const report = await inspectJson(paths.rlds as string, "--samples", "2");
    expect(report.format).toBe("rlds");
    expect(report.detected).toBe(true);
    expect(report.path).toBe(join(paths.rlds as string, "1.0.0"));
    expect(report.counts).toEqual({ episodes: 5, shardFiles: 3, steps: steps(episodes) });
    expect(report.countsFrom).toMatchObject({ episodes: "dataset_info.json", steps: "streamed" });
    expect(report.details.preset).toBe("bridge");
    expect(report.features).toContain("steps/action: tensor float32 [7]");
    expect(report.samples.map((s) => [s.episodeIndex, s.stepIndex, s.isFirst])).toEqual([[0, 0, true], [1, 0, true]]);
    const first = report.samples[1]!;
    expect(first.messages).toEqual([{ role: "user", content: episodes[1]!.instructions[0] }]);
    expect(first.action).toEqual(Array.from(episodes[1]!.actions.subarray(0, 7)));
    expect(first.state).toEqual(Array.from(episodes[1]!.states!.subarray(0, 7)));
    expect(first.images.map((i) => [i.camera, i.width, i.height, i.format])).toEqual([0, 1, 2, 3].map((c) => [`image_${c}`, 32, 32, "jpeg"]));
  });

  it("reads LeRobot counts from its metadata without streaming", async () => {
    const report = await inspectJson(paths.lerobot as string);
    expect(report.format).toBe("lerobot");
    expect(report.counts).toMatchObject({ episodes: 5, steps: steps(episodes), tasks: 3 });
    expect(report.kinds).toBeNull(); // nothing was streamed
    expect(report.features).toEqual(expect.arrayContaining(["observation.images.top: image [32, 32, 3]", "action: float32 [7]", "observation.state: float32 [7]"]));
    expect(report.samples).toHaveLength(3);
    expect(report.samples[2]!.action).toEqual(Array.from(episodes[2]!.actions.subarray(0, 7)));
  });

  it.each(["llava", "parquet"])("counts %s entries by streaming and shows the conversations", async (key) => {
    const report = await inspectJson(paths[key] as string, "-n", "4");
    expect(report.kind).toBe("vqa");
    expect(report.counts.entries).toBe(entries.length);
    expect(report.samples.map((s) => s.sampleId)).toEqual(["q0", "q1", "q2", "q3"]);
    expect(report.samples[0]!.messages.map((m) => m.content)).toEqual(entries[0]!.conversations.map((t) => t.value));
    expect(report.samples[0]!.images).toMatchObject([{ camera: "image", width: 32, height: 32, format: "jpeg" }]);
  });

  it("writes the first image of each sample as a PNG preview", async () => {
    const previews = join(root, "previews");
    const run = await cli("inspect", paths.llava as string, "--samples", "5", "--previews", previews);
    expect(run.code).toBe(0);
    const files = readdirSync(previews).sort();
    // q4 is text-only: 4 previews for 5 samples.
    expect(files).toEqual(["sample-00-q0-image.png", "sample-01-q1-image.png", "sample-02-q2-image.png", "sample-03-q3-image.png"]);
    const { data, info } = await sharp(join(previews, files[0]!)).raw().toBuffer({ resolveWithObject: true });
    expect([info.format, info.width, info.height]).toEqual(["raw", 32, 32]);
    expect(data[0]).toBeGreaterThan(180); // q0's square is red
    expect(data[1]).toBeLessThan(70);
    expect(run.stdout).toContain(`previews: 4 PNG file(s)`);
  });

  it("prints a readable report", async () => {
    const run = await cli("inspect", paths.rlds as string, "--samples", "1");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("rlds (detected), robot data");
    expect(run.stdout).toContain(`5 episodes, 3 shardFiles (dataset_info.json); ${steps(episodes)} steps (streamed)`);
    expect(run.stdout).toContain(`user: "${episodes[0]!.instructions[0]}"`);
    expect(run.stdout).toMatch(/action \[7\]: \[/);
    expect(run.stdout).toContain("image_0 32×32 jpeg");
    expect(run.stderr).toContain("counting rlds: 5/5 episodes");
  });

  it("takes --format and reader --options, and fails with the reader's typed error on a wrong format", async () => {
    const lerobot = await inspectJson(paths.lerobot as string, "--format", "lerobot", "--options", '{"source": "arm"}', "-n", "1");
    expect(lerobot.samples[0]!.source).toBe("arm");
    const wrong = await cli("inspect", paths.lerobot as string, "--format", "rlds");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toMatch(/^cotrain: MissingError RLDS_INFO_MISSING: .*dataset_info\.json/);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
  });
});
