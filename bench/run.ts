import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import postgres from "postgres";
import prepareTemplate from "../test/support/global-setup.ts";
import { ADMIN_URL } from "../test/support/pg.ts";

/**
 * Runs every bench/*.bench.ts in turn (or those whose name contains the first
 * argument). Benchmarks print figures; they never assert wall-clock limits.
 *
 * Each benchmark runs in a process of its own, after a CHECKPOINT: one
 * benchmark's heap (a million audit entries verified, say) and dirty database
 * pages must not pause the next one's measurements.
 */
const here = dirname(fileURLToPath(import.meta.url));
const single = process.argv[2] === "--one" ? process.argv[3] : undefined;

if (single) {
  const mod = (await import(pathToFileURL(join(here, single)).href)) as { default: () => Promise<void> };
  await mod.default();
  process.exit(0);
}

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
const tsx = join(here, "../node_modules/tsx/dist/cli.mjs");
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file.replace(".bench.ts", "")} ===`);
  await checkpoint();
  const run = spawnSync(process.execPath, [tsx, fileURLToPath(import.meta.url), "--one", file], {
    stdio: "inherit",
  });
  if (run.status !== 0) {
    failed++;
    console.error(`${file}: exited with ${run.status ?? run.signal}`);
  }
}
process.exit(failed ? 1 : 0);

/** Writes out the previous benchmark's dirty pages now rather than during the next one. */
async function checkpoint(): Promise<void> {
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await sql`checkpoint`;
  } catch {
    // not allowed for this role: the figures may then carry some of the previous benchmark's writes
  } finally {
    await sql.end({ timeout: 5 });
  }
}
