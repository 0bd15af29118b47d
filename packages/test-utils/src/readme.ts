import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Runs the ```ts code blocks of a README as a module, so a package's usage example is itself tested. The blocks
 * are joined in order into `.readme/example.ts` beside the README (git-ignored) and imported, so imports of
 * `@cotrain/*` resolve exactly as in the package's tests. Returns the module's exports (an example may export
 * values for the test to check).
 */
export async function runReadmeExample(readmePath: string): Promise<Record<string, unknown>> {
  const text = readFileSync(readmePath, "utf8");
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  if (blocks.length === 0) throw new Error(`${readmePath} has no \`\`\`ts example block`);
  const dir = join(dirname(readmePath), ".readme");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "example.ts");
  writeFileSync(file, blocks.join("\n"));
  return (await import(/* @vite-ignore */ `${file}?t=${Date.now()}`)) as Record<string, unknown>;
}
