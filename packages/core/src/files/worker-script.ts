import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The built script `relative` (e.g. "./pool/worker.js") of the module at `moduleUrl`, for `new Worker`. Under the
 * test runner a package's modules run from their TypeScript sources, where no .js lies beside them: the worker
 * then runs the built copy in the package's dist/ (`npm test` builds first). Throws, naming both paths and saying
 * to build, when neither exists.
 */
export function builtWorkerScript(moduleUrl: string, relative: string): URL {
  const here = new URL(relative, moduleUrl);
  if (existsSync(fileURLToPath(here))) return here;
  const at = here.href.lastIndexOf("/src/"); // the package's own src/, whatever folders above it are called
  const built = at < 0 ? null : new URL(`${here.href.slice(0, at)}/dist/${here.href.slice(at + 5)}`);
  if (built === null || !existsSync(fileURLToPath(built))) throw new Error(`the worker script ${fileURLToPath(here)} is missing, and so is its built copy${built === null ? "" : ` ${fileURLToPath(built)}`}: build the package first (npm run build)`);
  return built;
}
