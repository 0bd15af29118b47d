import { existsSync, readFileSync, readdirSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { init, parse } from "es-module-lexer";

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * What an installed package's JavaScript imports that it may not: a static import of a package it does not
 * declare (dependencies, peer or optional dependencies), any import of one of its dev-only dependencies (or the
 * monorepo's), and a relative import that leaves the package or names a file that is not there. Dynamic imports of
 * undeclared packages are allowed (optional features load them when the user has installed them).
 */
export async function importProblems(packageDir: string, devOnly: ReadonlySet<string>): Promise<string[]> {
  await init;
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as Manifest;
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]);
  const dev = new Set([...devOnly, ...Object.keys(manifest.devDependencies ?? {})]);
  const problems: string[] = [];
  const files = readdirSync(join(packageDir, "dist"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js") || f.endsWith(".mjs"));
  for (const file of files) {
    const path = join(packageDir, "dist", file);
    const [imports] = parse(readFileSync(path, "utf8"), path);
    for (const i of imports) {
      const spec = i.n;
      if (spec === undefined || isBuiltin(spec)) continue; // a computed import() (tfjs-node by name) is not checked
      const where = `${manifest.name}/${relative(packageDir, path)}`;
      const dynamic = i.d >= 0;
      if (spec.startsWith(".")) {
        const target = resolve(dirname(path), spec);
        if (!target.startsWith(packageDir + sep)) problems.push(`${where} imports ${spec}, outside the package`);
        else if (!existsSync(target)) problems.push(`${where} imports ${spec}, which is not in the package`);
        continue;
      }
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string);
      if (dev.has(name) && !declared.has(name)) problems.push(`${where} imports ${name}, a dev-only dependency`);
      else if (!dynamic && !declared.has(name)) problems.push(`${where} imports ${name} without declaring it`);
    }
  }
  return problems;
}
