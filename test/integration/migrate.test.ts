import { describe, expect, it } from "vitest";
import { openDatabase, queryRows, sql } from "../../src/db/client.ts";
import { admin, databaseUrl } from "../support/pg.ts";

describe("migrations at start-up", () => {
  it("are safe when two instances migrate an empty database at once", async () => {
    const name = `agov_t_${process.pid}_mig${Math.random().toString(36).slice(2, 6)}`;
    const a = admin();
    await a.unsafe(`create database ${name}`);
    try {
      const [one, two] = await Promise.all([
        openDatabase({ url: databaseUrl(name), max: 2 }),
        openDatabase({ url: databaseUrl(name), max: 2 }),
      ]);
      await Promise.all([one!.migrate(), two!.migrate()]);
      const applied = await queryRows<{ n: string }>(
        one!.db,
        sql`select count(*)::text as n from drizzle.__drizzle_migrations`,
      );
      const tables = await queryRows<{ table_name: string }>(
        one!.db,
        sql`select table_name from information_schema.tables where table_schema = 'public' and table_name in ('agents', 'adrs', 'audit_entries', 'deadlines', 'outbox')`,
      );
      expect(tables.map((t) => t.table_name).sort()).toEqual([
        "adrs",
        "agents",
        "audit_entries",
        "deadlines",
        "outbox",
      ]);
      const files = (await import("node:fs")).readdirSync("migrations").filter((f) => f.endsWith(".sql"));
      expect(Number(applied[0]!.n)).toBe(files.length);
      await one!.close();
      await two!.close();
    } finally {
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    }
  });
});
