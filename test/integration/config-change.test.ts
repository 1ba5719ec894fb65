import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { auditEntries } from "../../src/db/schema/index.ts";
import { PEOPLE, startTestApp, type TestApp, testGovernorYaml } from "../support/app.ts";

const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps.reverse()) await a.close();
});

async function configEntries(t: TestApp) {
  return t.governor.deps.db
    .select()
    .from(auditEntries)
    .where(and(eq(auditEntries.chain, "governance"), eq(auditEntries.eventType, "config_changed")))
    .orderBy(auditEntries.seq);
}

describe("governor.yaml changes", () => {
  it("are audited at start-up, once per change, naming the sections without any user id", async () => {
    const first = await startTestApp();
    apps.push(first);
    const entries = await configEntries(first);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.data).toMatchObject({ first_recorded: true });

    // Same settings again: nothing new. Then a new chair: one entry naming "committee".
    await first.governor.close();
    const same = await startTestApp({ databaseUrl: first.databaseUrl, fake: first.fake });
    apps.push(same);
    expect(await configEntries(same)).toHaveLength(1);
    await same.governor.close();

    const yaml = testGovernorYaml();
    const changed = await startTestApp({
      databaseUrl: first.databaseUrl,
      fake: first.fake,
      yaml: { ...yaml, committee: { ...(yaml.committee as object), chair: PEOPLE.ethics } },
    });
    apps.push(changed);
    const after = await configEntries(changed);
    expect(after).toHaveLength(2);
    expect(after[1]!.data).toMatchObject({ changed_sections: ["committee"], first_recorded: false });
    expect(JSON.stringify(after.map((e) => e.data))).not.toContain(PEOPLE.ethics);
  });
});
