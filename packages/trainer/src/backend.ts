import { createRequire } from "node:module";
import { UnsupportedError, ConfigError } from "@cotrain/core";
import { tf } from "./tf.js";
import { registerGradients } from "./gradients/register.js";

/** What a user may ask for: `auto` takes the first candidate that loads; `tensorflow` either native build. */
export type BackendPreference = "auto" | "tensorflow" | "tensorflow-gpu" | "tensorflow-cpu" | "wasm" | "cpu";
export type CandidateId = "tensorflow-gpu" | "tensorflow-cpu" | "wasm" | "cpu";

/** Loads a package by name. Injectable so tests can simulate native modules that are present, broken or absent. */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

export interface CandidateReport {
  id: CandidateId;
  package: string;
  /** The tfjs backend name the package registers. */
  backend: string;
  status: "selected" | "not-installed" | "failed" | "not-tried" | "not-requested";
  /** Why it was (not) taken, in words. */
  reason: string;
}

export interface BackendSelection {
  preference: BackendPreference;
  /** The tfjs backend now active: "tensorflow", "wasm" or "cpu". */
  backend: string;
  candidate: CandidateId;
  package: string;
  /** Every candidate in order of preference, with why it was or was not taken. */
  candidates: CandidateReport[];
  /** Backend facts worth logging (wasm SIMD/threads). */
  details: Record<string, string | number | boolean>;
  /** One line for the log: the choice and why the others were not taken. */
  summary: string;
}

export const GPU_INSTALL_COMMAND = "npm install @tensorflow/tfjs-node-gpu";

const CANDIDATES: ReadonlyArray<{ id: CandidateId; package: string; backend: string }> = [
  { id: "tensorflow-gpu", package: "@tensorflow/tfjs-node-gpu", backend: "tensorflow" },
  { id: "tensorflow-cpu", package: "@tensorflow/tfjs-node", backend: "tensorflow" },
  { id: "wasm", package: "@tensorflow/tfjs-backend-wasm", backend: "wasm" },
  { id: "cpu", package: "@tensorflow/tfjs-backend-cpu", backend: "cpu" },
];

const ALLOWED: Record<BackendPreference, readonly CandidateId[]> = {
  auto: ["tensorflow-gpu", "tensorflow-cpu", "wasm", "cpu"],
  tensorflow: ["tensorflow-gpu", "tensorflow-cpu"],
  "tensorflow-gpu": ["tensorflow-gpu"],
  "tensorflow-cpu": ["tensorflow-cpu"],
  wasm: ["wasm"],
  cpu: ["cpu"],
};

/** Resolves first, so "not installed" is told apart from "installed but failed to load" without parsing messages. */
export const defaultModuleLoader: ModuleLoader = async (specifier) => {
  createRequire(import.meta.url).resolve(specifier);
  return import(specifier);
};

function isNotFound(error: unknown, specifier: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  return (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") && message.includes(specifier);
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

/** Loads one candidate and makes it the active backend; returns a reason when it cannot. */
async function tryCandidate(c: (typeof CANDIDATES)[number], load: ModuleLoader): Promise<{ ok: true } | { ok: false; status: "not-installed" | "failed"; reason: string }> {
  try {
    await load(c.package);
  } catch (error) {
    if (isNotFound(error, c.package)) {
      const hint = c.id === "tensorflow-gpu" ? ` (on a CUDA machine: ${GPU_INSTALL_COMMAND})` : "";
      return { ok: false, status: "not-installed", reason: `${c.package} is not installed${hint}` };
    }
    return { ok: false, status: "failed", reason: `${c.package} failed to load: ${messageOf(error)}` };
  }
  try {
    if (tf.findBackendFactory(c.backend) === null) return { ok: false, status: "failed", reason: `${c.package} loaded but registered no "${c.backend}" backend` };
    if (!(await tf.setBackend(c.backend))) return { ok: false, status: "failed", reason: `the "${c.backend}" backend failed to initialize` };
    await tf.ready();
    const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
    if (probe !== 3) return { ok: false, status: "failed", reason: `the "${c.backend}" backend computed 1 + 2 = ${probe}` };
    return { ok: true };
  } catch (error) {
    return { ok: false, status: "failed", reason: `the "${c.backend}" backend failed: ${messageOf(error)}` };
  }
}

async function detailsOf(backend: string): Promise<Record<string, string | number | boolean>> {
  if (backend !== "wasm") return {};
  return {
    simd: Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")),
    threads: Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")),
  };
}

export interface SelectBackendOptions {
  /** Loads packages (default: resolve, then dynamic import). */
  load?: ModuleLoader;
  /** Receives the one-line summary (default: console.error); null for silence. */
  log?: ((line: string) => void) | null;
}

/**
 * Picks and activates a tfjs backend. Order: `@tensorflow/tfjs-node-gpu` (CUDA), `@tensorflow/tfjs-node` (native
 * CPU), `@tensorflow/tfjs-backend-wasm`, `@tensorflow/tfjs-backend-cpu`. `auto` takes the first that loads; an
 * explicit choice throws `UnsupportedError` (code BACKEND_UNAVAILABLE) naming why it could not be used.
 * Also registers the trainer's gradients and quiets tfjs's console advice (PROD flag).
 */
export async function selectBackend(preference: BackendPreference = "auto", options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const allowed = ALLOWED[preference];
  if (allowed === undefined) {
    throw new ConfigError("BAD_BACKEND", `\`backend\` must be one of ${Object.keys(ALLOWED).join(", ")}, got ${JSON.stringify(preference)}`, { field: "backend" });
  }
  const load = options.load ?? defaultModuleLoader;
  tf.env().set("PROD", true);
  const reports: CandidateReport[] = [];
  let chosen: (typeof CANDIDATES)[number] | undefined;
  for (const c of CANDIDATES) {
    const base = { id: c.id, package: c.package, backend: c.backend };
    if (!allowed.includes(c.id)) {
      reports.push({ ...base, status: "not-requested", reason: `not requested (backend: "${preference}")` });
      continue;
    }
    if (chosen !== undefined) {
      reports.push({ ...base, status: "not-tried", reason: `lower preference than ${chosen.id}, which loaded` });
      continue;
    }
    const result = await tryCandidate(c, load);
    if (result.ok) {
      chosen = c;
      reports.push({ ...base, status: "selected", reason: "loaded and ran a test op" });
    } else {
      reports.push({ ...base, status: result.status, reason: result.reason });
    }
  }
  if (chosen === undefined) {
    const why = reports.filter((r) => r.status === "not-installed" || r.status === "failed").map((r) => `${r.id}: ${r.reason}`);
    throw new UnsupportedError("BACKEND_UNAVAILABLE", `backend "${preference}" is not available: ${why.join("; ")}`);
  }
  registerGradients();
  const details = await detailsOf(chosen.backend);
  const others = reports.filter((r) => r.status !== "selected").map((r) => `${r.id}: ${r.reason}`);
  const extra = Object.entries(details).map(([k, v]) => `${k}=${v}`).join(", ");
  const summary = `backend: ${chosen.id} (${chosen.package}${extra ? `, ${extra}` : ""}); not taken: ${others.join("; ")}`;
  if (options.log !== null) (options.log ?? ((line: string) => console.error(line)))(summary);
  return { preference, backend: chosen.backend, candidate: chosen.id, package: chosen.package, candidates: reports, details, summary };
}
