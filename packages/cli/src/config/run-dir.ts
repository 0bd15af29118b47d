import { isAbsolute, relative, resolve, sep } from "node:path";
import { ConfigError, isRemote } from "@cotrain/core";

/**
 * The run folder a config file names, which must lie inside the config file's own folder: a config (often one
 * downloaded with a recipe) cannot make `cotrain train` write, or prune old checkpoints, anywhere else on the
 * machine, such as `runDir: /home/me/.ssh` or `../../` (an absolute path inside the folder is fine). `--out` is the user's own choice on the command line and may name
 * any folder. The check is on the path as written (a symlink the user placed in the config's folder is theirs).
 * Raises ConfigError CONFIG_RUN_DIR naming the file and the key.
 */
export function configRunDir(configDir: string, runDir: string, file: string): string {
  const full = resolve(configDir, runDir);
  const rel = relative(resolve(configDir), full);
  if (isRemote(runDir) || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new ConfigError("CONFIG_RUN_DIR", `runDir ${JSON.stringify(runDir)} leads outside the config file's folder ${configDir}: a config may only name a run folder inside it (pass --out to write elsewhere)`, { file, field: "runDir" });
  }
  return full;
}
