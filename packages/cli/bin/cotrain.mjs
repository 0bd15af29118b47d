#!/usr/bin/env node
// The `cotrain` command. A committed file rather than dist/bin.js itself: npm links a workspace's bin at
// `npm ci` time only when its target exists then, and dist/ is built after. This one loads the build.
import { existsSync } from "node:fs";

const built = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(built)) {
  process.stderr.write("cotrain: the CLI is not built yet (packages/cli/dist is missing): run `npm run build` first\n");
  process.exit(1);
}
await import(built.href);
