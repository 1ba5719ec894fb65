import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { MIGRATIONS_DIR } from "../../src/db/client.ts";

/** The admin connection used to create test databases (trust auth on this machine). */
export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The template's name carries a hash of the migrations, so a changed schema gets a fresh template. */
export function templateName(): string {
  const h = createHash("sha256");
  for (const f of readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    h.update(f).update(readFileSync(join(MIGRATIONS_DIR, f)));
  }
  return `agov_tpl_${h.digest("hex").slice(0, 12)}`;
}

export function admin() {
  return postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
}

/**
 * Each test file gets its own database cloned from the migrated template
 * (CREATE DATABASE … TEMPLATE), so files run in parallel with no clean-up.
 */
export async function createTestDatabase(): Promise<{
  name: string;
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `agov_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const sql = admin();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await sql.unsafe(`create database ${name} template ${templateName()}`);
        break;
      } catch (err) {
        // Another clone being created from the same template at this instant.
        if (attempt > 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await sql.end();
  }
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      const s = admin();
      try {
        await s.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await s.end();
      }
    },
  };
}
