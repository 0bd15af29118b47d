import { afterEach, describe, expect, it } from "vitest";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { selectBackend, tf, GPU_INSTALL_COMMAND, defaultModuleLoader } from "@cotrain/trainer";
import type { ModuleLoader } from "@cotrain/trainer";

function notFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find module '${specifier}'`), { code: "MODULE_NOT_FOUND" });
}

/** Simulates which native packages exist; "present" registers a working "tensorflow" backend (a CPU backend). */
function loader(natives: { gpu: "present" | "broken" | "absent"; node: "present" | "broken" | "absent" }): ModuleLoader {
  return async (specifier) => {
    const which = specifier === "@tensorflow/tfjs-node-gpu" ? natives.gpu : specifier === "@tensorflow/tfjs-node" ? natives.node : null;
    if (which === null) return defaultModuleLoader(specifier);
    if (which === "absent") throw notFound(specifier);
    if (which === "broken") throw new Error("libcudart.so.11.0: cannot open shared object file: No such file or directory");
    // What tfjs-node does on import: register a "tensorflow" backend and its kernels (here the CPU ones).
    tf.registerBackend("tensorflow", () => new MathBackendCPU(), 3);
    tf.copyRegisteredKernels("cpu", "tensorflow");
    return {};
  };
}

afterEach(() => {
  if (tf.findBackendFactory("tensorflow") !== null) {
    tf.removeBackend("tensorflow");
    for (const k of tf.getKernelsForBackend("tensorflow")) tf.unregisterKernel(k.kernelName, "tensorflow");
  }
});

describe("selectBackend", () => {
  it("chooses wasm when the native modules are really absent, and says why for each candidate", async () => {
    const lines: string[] = [];
    const s = await selectBackend("auto", { log: (l) => lines.push(l) });
    expect(s.backend).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(s.candidates.map((c) => [c.id, c.status])).toEqual([
      ["tensorflow-gpu", "not-installed"],
      ["tensorflow-cpu", "not-installed"],
      ["wasm", "selected"],
      ["cpu", "not-tried"],
    ]);
    expect(s.candidates[0]!.reason).toContain(GPU_INSTALL_COMMAND);
    expect(s.candidates[3]!.reason).toContain("lower preference than wasm");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("backend: wasm");
    expect(lines[0]).toContain("@tensorflow/tfjs-node-gpu is not installed");
    expect(s.details.simd).toBeTypeOf("boolean");
  });

  it("takes tfjs-node-gpu first when it loads", async () => {
    const s = await selectBackend("auto", { load: loader({ gpu: "present", node: "present" }), log: null });
    expect(s.candidates[0]!.reason).toBe("loaded and ran a test op");
    expect(s.candidate).toBe("tensorflow-gpu");
    expect(s.backend).toBe("tensorflow");
    expect(tf.getBackend()).toBe("tensorflow");
    expect(s.candidates.slice(1).every((c) => c.status === "not-tried")).toBe(true);
  });

  it("falls back past a GPU build that fails to load and reports the error", async () => {
    const s = await selectBackend("auto", { load: loader({ gpu: "broken", node: "present" }), log: null });
    expect(s.candidate).toBe("tensorflow-cpu");
    expect(s.candidates[0]).toMatchObject({ status: "failed" });
    expect(s.candidates[0]!.reason).toContain("libcudart.so.11.0");
  });

  it("falls back to wasm when both natives fail or are absent", async () => {
    const s = await selectBackend("auto", { load: loader({ gpu: "broken", node: "absent" }), log: null });
    expect(s.candidate).toBe("wasm");
    expect(s.candidates.map((c) => c.status)).toEqual(["failed", "not-installed", "selected", "not-tried"]);
  });

  it("fails clearly when an explicit choice is unavailable", async () => {
    await expect(selectBackend("tensorflow-gpu", { log: null })).rejects.toThrow(/tensorflow-gpu.*not installed.*npm install @tensorflow\/tfjs-node-gpu/);
    await expect(selectBackend("tensorflow", { load: loader({ gpu: "broken", node: "absent" }), log: null })).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    await expect(selectBackend("gpu" as never, { log: null })).rejects.toMatchObject({ code: "BAD_BACKEND" });
  });

  it("selects cpu explicitly and marks the others as not requested", async () => {
    const s = await selectBackend("cpu", { log: null });
    expect(tf.getBackend()).toBe("cpu");
    expect(s.candidates.filter((c) => c.status === "not-requested").map((c) => c.id)).toEqual(["tensorflow-gpu", "tensorflow-cpu", "wasm"]);
  });
});
