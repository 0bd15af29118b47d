import { ConfigError } from "@cotrain/core";
import { bindLibvips, mappedLibvips, requireFromHere } from "./libvips-direct.js";
import type { KoffiLike, LibvipsDirect } from "./libvips-direct.js";

/**
 * Whether this process can take the direct libvips path, which TransformSpec's `shrinkOnLoad` needs (everything
 * else decodes through sharp). `COTRAIN_IMAGE_DECODER`:
 * - unset or "auto": libvips called directly (libvips-direct.ts) when koffi loads and sharp's libvips is found
 *   mapped in this process; otherwise sharp, with the reason recorded;
 * - "sharp": never the direct path (`shrinkOnLoad: true` is then a ConfigError);
 * - "libvips": the direct path, or a ConfigError saying why it cannot load.
 */
export interface DecoderChoice {
  name: "libvips" | "sharp";
  /** Why this one (the environment setting, or why the direct path could not load). */
  reason: string;
  direct: LibvipsDirect | null;
}

export interface DecoderProbe {
  setting?: string | undefined;
  /** Loads koffi (throws when it is not installed or has no binary for this platform). */
  loadKoffi?: () => KoffiLike;
  /** The path of the libvips sharp mapped, or null. */
  findLibvips?: () => string | null;
}

export function chooseDecoder(probe: DecoderProbe = {}): DecoderChoice {
  const setting = probe.setting === undefined || probe.setting === "" ? "auto" : probe.setting;
  if (setting !== "auto" && setting !== "sharp" && setting !== "libvips") {
    throw new ConfigError("VISION_DECODER", `COTRAIN_IMAGE_DECODER must be "auto", "sharp" or "libvips", got ${JSON.stringify(setting)}`, { field: "COTRAIN_IMAGE_DECODER" });
  }
  if (setting === "sharp") return { name: "sharp", reason: "COTRAIN_IMAGE_DECODER=sharp", direct: null };
  let direct: LibvipsDirect;
  try {
    const path = (probe.findLibvips ?? mappedLibvips)();
    if (path === null) throw new Error("sharp's libvips-cpp is not mapped in this process (no /proc/self/maps, or a sharp built against a system libvips)");
    direct = bindLibvips((probe.loadKoffi ?? (() => requireFromHere("koffi") as KoffiLike))(), path);
  } catch (error) {
    const why = `the direct libvips path cannot load: ${(error as Error).message}`;
    if (setting === "libvips") throw new ConfigError("VISION_DECODER", `COTRAIN_IMAGE_DECODER=libvips, but ${why}`, { field: "COTRAIN_IMAGE_DECODER", cause: error });
    return { name: "sharp", reason: why, direct: null };
  }
  return { name: "libvips", reason: setting === "libvips" ? "COTRAIN_IMAGE_DECODER=libvips" : `koffi and ${direct.path} loaded`, direct };
}

let chosen: DecoderChoice | null = null;

/** This thread's choice, made once from the environment on first use. */
export function imageDecoder(): DecoderChoice {
  chosen ??= chooseDecoder({ setting: process.env.COTRAIN_IMAGE_DECODER });
  return chosen;
}
