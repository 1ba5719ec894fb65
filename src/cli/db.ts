import { availableParallelism } from "node:os";
import type { Env } from "../config/env.ts";
import { type Database, openDatabase } from "../db/client.ts";
import type { CliCommand } from "./commands.ts";

/** Opens the app's database; with the embedded one, says plainly when the app holds it. */
export async function withDatabase<T>(env: Env, body: (db: Database) => Promise<T>): Promise<T> {
  // Enough connections for `audit verify`'s parallel pass (one per core, plus its snapshot).
  const max = Math.max(4, availableParallelism() + 2);
  const database = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR, max });
  try {
    return await body(database);
  } finally {
    await database.close();
  }
}

export const dbMigrate: CliCommand = {
  summary: "apply pending database migrations",
  async run(args, io, env) {
    if (args.length) {
      io.err("usage: agov db migrate");
      return 2;
    }
    await withDatabase(env(), async (database) => {
      await database.migrate();
      io.out(`migrations applied (${database.kind})`);
    });
    return 0;
  },
};
