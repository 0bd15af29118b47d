import { readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const packages = readdirSync(`${root}packages`).filter((name) => existsSync(`${root}packages/${name}/package.json`));

// Tests run against each package's TypeScript source, not its dist: no prebuild is needed for a test run.
const alias = Object.fromEntries(packages.map((name) => [`@cotrain/${name}`, `${root}packages/${name}/src/index.ts`]));

const common = { resolve: { alias }, test: { testTimeout: 60_000, hookTimeout: 120_000 } };

export default defineConfig({
  test: {
    projects: [
      ...packages.map((name) => ({
        ...common,
        test: { ...common.test, name: `@cotrain/${name}`, root: `${root}packages/${name}`, include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
      })),
      { ...common, test: { ...common.test, name: "e2e", root: `${root}test`, include: ["**/*.test.ts"] } },
    ],
  },
});
