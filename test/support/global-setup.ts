import { openDatabase } from "../../src/db/client.ts";
import { admin, databaseUrl, templateName } from "./pg.ts";

/**
 * Migrates a template database once per schema version; every test file
 * clones it. Serialised with an advisory lock so parallel runs share it.
 */
export default async function setup(): Promise<void> {
  const name = templateName();
  const sql = admin();
  try {
    await sql`select pg_advisory_lock(7401290312)`;
    const exists = await sql`select 1 from pg_database where datname = ${name}`;
    if (!exists.length) {
      await sql.unsafe(`create database ${name}_build`).catch(async () => {
        await sql.unsafe(`drop database if exists ${name}_build with (force)`);
        await sql.unsafe(`create database ${name}_build`);
      });
      const database = await openDatabase({ url: databaseUrl(`${name}_build`), max: 2 });
      await database.migrate();
      await database.close();
      await sql.unsafe(`alter database ${name}_build rename to ${name}`);
    }
    // Leftover clones from runs that were killed.
    const stale = await sql`select datname from pg_database where datname like 'agov_t_%'`;
    for (const { datname } of stale) {
      const pid = Number(String(datname).split("_")[2]);
      if (pid && !alive(pid))
        await sql.unsafe(`drop database if exists ${datname} with (force)`).catch(() => {});
    }
  } finally {
    await sql`select pg_advisory_unlock(7401290312)`.catch(() => {});
    await sql.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
