import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import prepareTemplate from "../test/support/global-setup.ts";

/**
 * Runs every bench/*.bench.ts in turn (or those whose name contains the first
 * argument). Benchmarks print figures; they never assert wall-clock limits.
 */
const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts") && (!filter || f.includes(filter)))
  .sort();
if (!files.length) {
  console.error(`no benchmark matches ${filter ?? "(all)"}`);
  process.exit(2);
}
// Benchmarks clone the same migrated template database as the tests.
await prepareTemplate();
for (const file of files) {
  console.log(`\n=== ${file.replace(".bench.ts", "")} ===`);
  const mod = (await import(join(here, file))) as { default: () => Promise<void> };
  await mod.default();
}
process.exit(0);
