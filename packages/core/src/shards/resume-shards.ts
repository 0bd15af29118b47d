import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { StateError } from "../errors.js";
import { manifestName, readManifests } from "./manifest.js";
import type { Manifest } from "./manifest.js";
import { jobDifference, progressName, readProgress, removeProgress } from "./write-progress.js";
import type { ShardJob, WriteProgress } from "./write-progress.js";

/** Where a shard-writing job starts: from nothing, from a progress record, or not at all (it had finished). */
export type StartPoint = { kind: "fresh" } | { kind: "continue"; progress: WriteProgress } | { kind: "finished"; manifest: Manifest };

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Readies `dir` for `job` and says where it starts. A killed run leaves temporary files (`*.tmp-<pid>`), maybe a
 * shard renamed into place after the last progress record, and its progress record; these names belong to the job
 * and are cleared here: its temporary files always, its shards beyond those it keeps, and (starting afresh) its old
 * manifest and progress record, so the folder never holds a manifest of another run beside this run's shards.
 *
 * With `resume`: a manifest of this job means it had finished (it is returned as it is, after checking that it was
 * written by the same job); else a progress record is continued after checking the job's options and that every
 * shard it lists is there with its recorded size; else the job starts afresh.
 */
export async function prepareShardDir(dir: string, job: ShardJob, resume: boolean): Promise<StartPoint> {
  const worker = job.worker ?? undefined;
  const manifestFile = manifestName(worker);
  const shardName = new RegExp(`^${escape(job.prefix)}-(\\d{5})\\.${job.format}$`);
  const tempName = new RegExp(`^(${escape(job.prefix)}-\\d{5}\\.${job.format}|${escape(manifestFile)}|${escape(progressName(job.worker))})\\.tmp-\\d+$`);
  const names = await readdir(dir);
  await Promise.all(names.filter((n) => tempName.test(n)).map((n) => rm(join(dir, n), { force: true, recursive: true })));

  let start: StartPoint = { kind: "fresh" };
  if (resume) start = await resumePoint(dir, job, names.includes(manifestFile) ? join(dir, manifestFile) : null);
  if (start.kind === "finished") return start;
  if (start.kind === "fresh") {
    await rm(join(dir, manifestFile), { force: true });
    await removeProgress(dir, job.worker);
  }
  const kept = start.kind === "continue" ? start.progress.shards.length : 0;
  const orphans = names.filter((n) => Number(shardName.exec(n)?.[1] ?? -1) >= kept);
  await Promise.all(orphans.map((n) => rm(join(dir, n), { force: true })));
  return start;
}

async function resumePoint(dir: string, job: ShardJob, manifestPath: string | null): Promise<StartPoint> {
  if (manifestPath !== null) {
    const { manifest } = (await readManifests(manifestPath))[0] as { manifest: Manifest };
    const wrote: Record<string, unknown> = { format: manifest.format, worker: manifest.worker ?? null, meta: manifest.meta ?? null, pipeline: manifest.pipeline ?? null };
    for (const [field, was] of Object.entries(wrote)) {
      const now = job[field as keyof ShardJob] ?? null;
      if (JSON.stringify(was) !== JSON.stringify(now)) {
        throw new StateError("SHARDS_RESUME_MISMATCH", `cannot resume: the folder holds a finished job whose ${field} was ${JSON.stringify(was)}, this job's is ${JSON.stringify(now)}; convert into another folder, or start afresh without resume`, { file: manifestPath, field });
      }
    }
    await removeProgress(dir, job.worker); // the run was killed after its manifest, before removing the record
    return { kind: "finished", manifest };
  }
  const progress = await readProgress(dir, job.worker);
  if (progress === null) return { kind: "fresh" };
  const file = join(dir, progressName(job.worker));
  const diff = jobDifference(progress.job, job);
  if (diff !== null) {
    throw new StateError("SHARDS_RESUME_MISMATCH", `cannot resume: the interrupted job's ${diff.field} was ${JSON.stringify(diff.was)}, this job's is ${JSON.stringify(diff.now)}; resume with the same input and options, or start afresh without resume`, { file, field: diff.field });
  }
  for (const [i, shard] of progress.shards.entries()) {
    const size = await stat(join(dir, shard.file)).then((s) => s.size, () => null);
    if (size !== shard.bytes) {
      throw new StateError("SHARDS_RESUME_SHARD", `cannot resume: shard ${shard.file} ${size === null ? "is missing" : `holds ${size} bytes, the progress record says ${shard.bytes}`}`, { file, row: i, field: "shards" });
    }
  }
  return { kind: "continue", progress };
}
