/**
 * A user project that depends on the packed @cotrain tarballs, with a package-lock.json so that `npm ci --offline`
 * installs it from the npm cache alone.
 *
 * Why a lockfile: without one, npm resolves each third-party range (`apache-arrow@^21.2.0`) from the registry's
 * package metadata, which `npm ci` never fetches (it installs from the monorepo's lockfile), so on a fresh CI
 * machine `npm install --offline <tarballs>` fails with ENOTCACHED. With this lockfile every third-party package is
 * pinned to the version, URL and integrity the monorepo's `npm ci` installed, and npm ci finds those tarballs in the
 * cache by integrity. The versions are the ones the monorepo tests, inside the ranges the packages declare.
 */

interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** One tarball from `npm pack --json`. */
export interface Packed {
  name: string;
  version: string;
  filename: string;
  integrity: string;
}

export interface UserProject {
  packageJson: Record<string, unknown>;
  lock: Lockfile & { name: string; requires: boolean };
}

/**
 * `tarballDir` is the tarballs' folder relative to the project. `extra` are further dependencies taken from the
 * monorepo's lockfile as they are (e.g. `@types/node`, which a TypeScript user has).
 */
export function userProject(monorepo: Lockfile, packed: readonly Packed[], tarballDir: string, extra: readonly string[] = []): UserProject {
  const all = monorepo.packages;
  const workspace = (name: string): LockEntry => {
    const found = Object.entries(all).find(([path, e]) => path.startsWith("packages/") && e.name === name);
    if (found === undefined) throw new Error(`${name} is not a workspace in the monorepo's lockfile`);
    return found[1];
  };
  const dependencies: Record<string, string> = {};
  const packages: Record<string, LockEntry> = {};
  for (const p of packed) {
    const spec = `file:${tarballDir}/${p.filename}`;
    dependencies[p.name] = spec;
    const { name: _name, devDependencies: _dev, ...entry } = workspace(p.name);
    packages[`node_modules/${p.name}`] = { ...entry, version: p.version, resolved: spec, integrity: p.integrity };
  }
  for (const name of extra) {
    const entry = all[`node_modules/${name}`];
    if (entry === undefined) throw new Error(`${name} is not in the monorepo's lockfile`);
    dependencies[name] = entry.version as string;
  }

  // Everything the project's dependencies reach, at the lock path where Node's resolution finds it.
  const nested = Object.keys(all).filter((path) => /^packages\/[^/]+\/node_modules\//.test(path));
  if (nested.length > 0) throw new Error(`workspace-local dependencies (${nested.join(", ")}) would need moving under node_modules/@cotrain/*/node_modules: not done here`);
  const queue = Object.keys(dependencies).map((name) => `node_modules/${name}`);
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    const entry = packages[path] ?? all[path];
    if (entry === undefined) throw new Error(`${path} is not in the monorepo's lockfile`);
    if (packages[path] === undefined) {
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
      packages[path] = kept;
    }
    const optionalPeers = new Set(Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional === true).map(([n]) => n));
    const required = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeers.has(n))];
    const optional = Object.keys(entry.optionalDependencies ?? {});
    for (const dep of [...required, ...optional]) {
      if (dep.startsWith("@cotrain/")) continue; // every packed package is an entry of its own, at the top
      const at = resolveIn(all, path, dep);
      // An optional dependency the lockfile does not hold is one npm would skip too.
      if (at === null && optional.includes(dep)) continue;
      if (at === null) throw new Error(`${dep}, needed by ${path}, is not in the monorepo's lockfile`);
      if (packages[at] === undefined && !queue.includes(at)) queue.push(at);
    }
  }
  const packageJson = { name: "cotrain-user-project", version: "0.0.0", private: true, type: "module", dependencies };
  return { packageJson, lock: { name: "cotrain-user-project", lockfileVersion: 3, requires: true, packages: { "": { name: "cotrain-user-project", version: "0.0.0", dependencies }, ...packages } } };
}

/** Where `name` resolves from the package at lock path `from` ("" for the root): its own node_modules, then up. */
function resolveIn(all: Record<string, LockEntry>, from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    const candidate = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    const entry = all[candidate];
    if (entry !== undefined && !entry.link) return candidate;
    if (dir === "") return null;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut < 0 ? "" : dir.slice(0, cut);
  }
}
