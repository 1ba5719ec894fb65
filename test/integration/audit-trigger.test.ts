import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { createAuditWriter } from "../../src/services/audit/append.ts";
import { verifyAuditTrail } from "../../src/services/audit/verify.ts";
import { agentEvents } from "../support/audit.ts";
import { createTestDatabase } from "../support/pg.ts";

const role = `agov_app_${Math.random().toString(36).slice(2, 10)}`;

/** The production grants recommended in the README (app role: no owner, no superuser). */
const PRODUCTION_GRANTS = `
  GRANT USAGE ON SCHEMA public TO ${role};
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role};
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role};
  REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries, audit_anchors FROM ${role};
  REVOKE DELETE, TRUNCATE ON audit_chain_heads FROM ${role};
  GRANT USAGE ON SCHEMA drizzle TO ${role};
  GRANT SELECT ON drizzle.__drizzle_migrations TO ${role};
`;

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let owner: postgres.Sql;
let app: postgres.Sql;
let appDatabase: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  owner = postgres(testDb.url, { max: 1, onnotice: () => {} });
  await owner.unsafe(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
  await owner.unsafe(PRODUCTION_GRANTS);
  const url = new URL(testDb.url);
  url.username = role;
  app = postgres(url.toString(), { max: 1, onnotice: () => {} });
  appDatabase = await openDatabase({ url: url.toString(), max: 2 });
  const writer = createAuditWriter("trigger-test-hmac-key-0123456789abcdef");
  for (const e of agentEvents(1, 3)) await appDatabase.db.transaction((tx) => writer.append(tx, e));
  await appDatabase.db.transaction((tx) => writer.appendBatch(tx, agentEvents(2, 3)));
});

afterAll(async () => {
  await app?.end();
  await appDatabase?.close();
  if (owner) {
    await owner.unsafe(`DROP OWNED BY ${role}`).catch(() => {});
    await owner.unsafe(`DROP ROLE IF EXISTS ${role}`);
    await owner.end();
  }
  await testDb?.drop();
});

describe("the app's least-privileged role", () => {
  it("starts without CREATE rights: with nothing pending, migrate() touches nothing", async () => {
    await expect(appDatabase.migrate()).resolves.toBeUndefined();
    const [can] =
      await app`select has_database_privilege(current_user, current_database(), 'CREATE') as create`;
    expect(can!.create).toBe(false);
  });
});

describe("the audit table is append-only", () => {
  it("lets the app role append (INSERT) and read (SELECT): its entries verify", async () => {
    expect(await verifyAuditTrail(appDatabase.db)).toEqual({ chains: 2, entries: 6, findings: [] });
    const rows = await app`select count(*)::int as n from audit_entries`;
    expect(rows[0]!.n).toBe(6);
  });

  it.each([
    ["UPDATE", "update audit_entries set data = '{}'::jsonb where seq = 1"],
    ["DELETE", "delete from audit_entries where seq = 1"],
    ["TRUNCATE", "truncate audit_entries"],
    ["UPDATE of an anchor", "update audit_anchors set anchor_hash = 'x'"],
    ["DELETE of a chain head", "delete from audit_chain_heads"],
  ])("refuses %s to the app role (no privilege)", async (_op, statement) => {
    await expect(app.unsafe(statement)).rejects.toThrow(/permission denied/);
  });

  it.each([
    ["disable the trigger", "alter table audit_entries disable trigger audit_entries_no_update_delete"],
    ["bypass triggers", "set session_replication_role = replica"],
  ])("refuses the app role's attempt to %s", async (_label, statement) => {
    await expect(app.unsafe(statement)).rejects.toThrow(/must be owner|permission denied/);
  });

  it.each([
    ["UPDATE", "update audit_entries set data = '{}'::jsonb where seq = 1"],
    ["DELETE", "delete from audit_entries where seq = 1"],
    ["TRUNCATE", "truncate audit_entries"],
  ])("refuses %s even to the table owner (the trigger)", async (op, statement) => {
    await expect(owner.unsafe(statement)).rejects.toThrow(
      `audit_entries is append-only: ${op} is not allowed`,
    );
  });

  it("still holds every entry after the refused changes", async () => {
    const rows = await owner`select count(*)::int as n from audit_entries`;
    expect(rows[0]!.n).toBe(6);
    expect((await verifyAuditTrail(appDatabase.db)).findings).toEqual([]);
  });
});
