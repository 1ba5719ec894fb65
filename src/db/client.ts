import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres, PostgresJsSession } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { acquireEmbeddedLock, type EmbeddedLock } from "./embedded-lock.ts";
import { createPool } from "./pool.ts";
import { withPreparedStatements } from "./prepared.ts";
/**
 * The database, without drizzle's relational query API (`db.query.*`, unused
 * here): given a schema, drizzle builds a query builder per table for every
 * transaction it opens, a few percent of an audited transaction's CPU.
 */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Queries take either the database or a transaction, first. */
export type DbOrTx = Db | Tx;

/**
 * The postgres.js client under a drizzle database or transaction, if that is
 * what it runs on (inside a transaction: our transaction runner's client, see
 * src/db/pool.ts); null on PGlite.
 */
export function postgresClientOf(dbOrTx: DbOrTx): Pick<postgres.Sql, "unsafe"> | null {
  const session = dbOrTx._.session;
  return session instanceof PostgresJsSession ? (session.client as postgres.Sql) : null;
}

/** The package's migrations folder, found upwards from this module (src/db/, or dist/ when built). */
export const MIGRATIONS_DIR = findUp(dirname(fileURLToPath(import.meta.url)), "migrations");

function findUp(from: string, name: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, name);
    if (existsSync(join(candidate, "meta/_journal.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no ${name} folder above ${from}`);
  }
}

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Applies pending migrations; safe when several instances start at once. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url?: string | undefined;
  pgliteDir?: string;
  /** Connection pool size for postgres (default 10). */
  max?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.url ? openPostgres(opts.url, opts.max ?? 10) : openPglite(opts.pgliteDir ?? "./data");
}

function openPostgres(url: string, max: number): Database {
  // The most recently used connection first (see createPool); statements run
  // prepared, one round trip each instead of two (see withPreparedStatements).
  const pool = createPool(url, { onnotice: () => {}, connect_timeout: 5 }, max, withPreparedStatements);
  const client = pool.client;
  const db = drizzlePostgres(client) as unknown as Db;
  return {
    db,
    kind: "postgres",
    async migrate() {
      // Nothing pending ⇒ touch nothing: the app's least-privileged role may
      // read the migrations table but cannot create drizzle's schema.
      if (await upToDate(client)) return;
      // A session-level advisory lock on its own connection: a second instance
      // waits, then finds every migration applied.
      const lockConn = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
      try {
        await lockConn`select pg_advisory_lock(7401290311)`;
        await migratePostgres(drizzlePostgres(client), { migrationsFolder: MIGRATIONS_DIR });
        await lockConn`select pg_advisory_unlock(7401290311)`;
      } finally {
        await lockConn.end({ timeout: 5 });
      }
    },
    async ping() {
      await client.unsafe("select 1");
    },
    async close() {
      await pool.end({ timeout: 5 });
    },
  };
}

/** True when every migration in the journal is recorded as applied. */
async function upToDate(client: postgres.Sql): Promise<boolean> {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as {
    entries: { when: number }[];
  };
  const latest = Math.max(...journal.entries.map((e) => e.when));
  try {
    const [row] = await client.unsafe<{ applied: string | null }[]>(
      "select max(created_at)::text as applied from drizzle.__drizzle_migrations",
    );
    return row?.applied !== null && row?.applied !== undefined && Number(row.applied) >= latest;
  } catch {
    return false; // no migrations table yet
  }
}

async function openPglite(dir: string): Promise<Database> {
  const dataDir = resolve(dir);
  mkdirSync(dataDir, { recursive: true });
  // PGlite is single-process: a second process must not open the same files.
  const lock: EmbeddedLock = acquireEmbeddedLock(dataDir);
  let client: PGlite;
  try {
    client = new PGlite(join(dataDir, "pg"));
    await client.waitReady;
  } catch (err) {
    lock.release();
    throw err;
  }
  const db = drizzlePglite(client) as unknown as Db;
  return {
    db,
    kind: "pglite",
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
    },
    async ping() {
      await client.query("select 1");
    },
    async close() {
      try {
        await client.close();
      } finally {
        lock.release();
      }
    },
  };
}

/** Rows of a raw query, whichever driver answered. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export { sql };
