import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

let calls = 0;
import { dirname, join } from "node:path";

/**
 * Runs the ```ts code blocks of a README as a module, so a package's usage example is itself tested. The blocks
 * are joined in order into a file under `.readme/` beside the README (git-ignored, removed afterwards) and imported, so imports of
 * `@cotrain/*` resolve exactly as in the package's tests. Returns the module's exports (an example may export
 * values for the test to check).
 */
export async function runReadmeExample(readmePath: string): Promise<Record<string, unknown>> {
  const text = readFileSync(readmePath, "utf8");
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  if (blocks.length === 0) throw new Error(`${readmePath} has no \`\`\`ts example block`);
  const dir = join(dirname(readmePath), ".readme");
  mkdirSync(dir, { recursive: true });
  // A file per call: two tests of one package may run the same README at once.
  const file = join(dir, `example-${process.pid}-${++calls}.ts`);
  writeFileSync(file, blocks.join("\n"));
  try {
    return (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
  } finally {
    rmSync(file, { force: true });
  }
}
