import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agents, drafts } from "../../src/db/schema/index.ts";
import { PEOPLE, startTestApp, type TestApp } from "../support/app.ts";
import {
  adrsOfAgent,
  answerOf,
  auditTypes,
  fileRequest,
  formValues,
  openRequest,
  submitStep,
} from "../support/intake.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function draftOf(userId: string) {
  return t.governor.deps.db.select().from(drafts).where(eq(drafts.userId, userId));
}

describe("bad input in the request form", () => {
  it.each([
    ["a missing required field", { "agent_metadata.name": null }, "agent_metadata.name", "is required"],
    [
      "a date that does not exist",
      { "agent_metadata.proposed_production_date": "2026-02-30" },
      "agent_metadata.proposed_production_date",
      "must be a date like 2026-04-15",
    ],
    [
      "a value outside the options",
      { "business_justification.user_population": "everyone" },
      "business_justification.user_population",
      "must be one of: internal, external, regulated-users",
    ],
    [
      "a name too long",
      { "agent_metadata.name": "x".repeat(81) },
      "agent_metadata.name",
      "must be at most 80 characters",
    ],
    [
      "a line of a list too long",
      { "business_justification.success_metrics": `fine\n${"m".repeat(201)}` },
      "business_justification.success_metrics",
      "line 2: must be at most 200 characters",
    ],
    [
      "a risk factor left unanswered",
      { "risk_assessment.handles_regulated_data": null },
      "risk_assessment.handles_regulated_data",
      "is required",
    ],
  ])("flags %s on its block at step 1 and stores nothing", async (_label, override, blockId, message) => {
    const user = PEOPLE.outsider;
    const { viewId } = await openRequest(t, user);
    const answer = answerOf(await submitStep(t, user, viewId, 1, formValues(override)));
    expect(answer.response_action).toBe("errors");
    expect(answer.errors?.[blockId]).toBe(message);
    expect(Object.keys(answer.errors ?? {})).toEqual([blockId]);
    expect(await draftOf(user)).toEqual([]);
  });

  it("flags an unreadable tool line at step 2", async () => {
    const user = PEOPLE.outsider;
    const values = formValues({ "agent_capabilities.tools_requested": "read_crm | read-only\njust_a_name" });
    const { viewId } = await openRequest(t, user);
    expect(answerOf(await submitStep(t, user, viewId, 1, values)).response_action).toBe("update");
    const answer = answerOf(await submitStep(t, user, viewId, 2, values));
    expect(answer.errors).toEqual({
      "agent_capabilities.tools_requested": expect.stringMatching(
        /^line 2: write one tool per line as "name \| permissions"/,
      ),
    });
  });

  it("flags a threshold that is not a number and a missing GDPR basis at step 3, and stores no ADR", async () => {
    const user = PEOPLE.outsider;
    const values = formValues({
      "monitoring_plan.alert_thresholds": "error_rate: lots",
      "compliance_assessment.gdpr_basis": null,
    });
    const { viewId } = await openRequest(t, user);
    await submitStep(t, user, viewId, 1, values);
    await submitStep(t, user, viewId, 2, values);
    const answer = answerOf(await submitStep(t, user, viewId, 3, values));
    expect(answer.response_action).toBe("errors");
    expect(answer.errors).toEqual({
      "monitoring_plan.alert_thresholds": "line 1: the threshold must be a number",
      "compliance_assessment.gdpr_basis": "is required when gdpr_applicable is true",
    });
    expect((await adrsOfAgent(t, values["agent_metadata.name"]!)).agent).toBeUndefined();
  });

  it("refuses a tier 1–2 request whose technical owner is its business owner", async () => {
    const user = PEOPLE.outsider;
    const values = formValues({
      "risk_assessment.can_send_external_communications": "false",
      "agent_metadata.business_owner": PEOPLE.techOwner,
    });
    const { viewId } = await openRequest(t, user);
    const answer = answerOf(await submitStep(t, user, viewId, 1, values));
    expect(answer.errors?.["agent_metadata.technical_owner"]).toMatch(
      /different person from the business owner/,
    );
  });
});

describe("agent names in the inventory", () => {
  it("refuses another person's existing name (any case) with its owner, on the name field", async () => {
    const values = formValues({ "agent_metadata.business_owner": PEOPLE.business });
    const name = values["agent_metadata.name"]!;
    expect((await fileRequest(t, PEOPLE.business, values)).final.response_action).toBe("update");

    const { viewId } = await openRequest(t, PEOPLE.outsider);
    const again = formValues({
      "agent_metadata.name": name.toUpperCase(),
      "agent_metadata.business_owner": PEOPLE.outsider,
    });
    const answer = answerOf(await submitStep(t, PEOPLE.outsider, viewId, 1, again));
    expect(answer.errors).toEqual({
      "agent_metadata.name": `an agent with this name already exists, owned by <@${PEOPLE.business}>`,
    });
  });

  it("files the owner's new request as version 2 and supersedes the pending version 1 (audited)", async () => {
    const values = formValues({ "agent_metadata.business_owner": PEOPLE.coChair });
    const name = values["agent_metadata.name"]!;
    await fileRequest(t, PEOPLE.coChair, values);
    const second = {
      ...values,
      "agent_metadata.version": "1.1.0",
      "agent_metadata.name": name.toLowerCase(),
    };
    expect((await fileRequest(t, PEOPLE.coChair, second)).final.response_action).toBe("update");

    const { agent, adrs } = await adrsOfAgent(t, name);
    expect(adrs.map((a) => [a.version, a.status])).toEqual([
      [1, "superseded"],
      [2, "awaiting_security_assessment"],
    ]);
    expect(agent!.currentAdrId).toBe(adrs[1]!.id);
    expect(agent!.name).toBe(name.toLowerCase());
    expect(await auditTypes(t, agent!.id)).toEqual([
      "adr_submitted",
      "tier_assigned",
      "adr_submitted",
      "tier_assigned",
      "adr_superseded",
    ]);
    // The old request's status message says so.
    await t.fake.waitFor(
      (c) =>
        c.method === "chat.update" && JSON.stringify(c.args.blocks).includes("superseded by a newer version"),
    );
  });

  it("keeps names unique when two people race for the same new name", async () => {
    const name = `Race agent ${Math.random().toString(36).slice(2, 8)}`;
    const people = [PEOPLE.chair, PEOPLE.ciso];
    const views = await Promise.all(people.map((p) => openRequest(t, p)));
    for (const [i, p] of people.entries()) {
      const v = formValues({ "agent_metadata.name": name, "agent_metadata.business_owner": p });
      await submitStep(t, p, views[i]!.viewId, 1, v);
      await submitStep(t, p, views[i]!.viewId, 2, v);
    }
    const finals = await Promise.all(
      people.map((p, i) =>
        submitStep(
          t,
          p,
          views[i]!.viewId,
          3,
          formValues({ "agent_metadata.name": name, "agent_metadata.business_owner": p }),
        ),
      ),
    );
    const answers = finals.map(answerOf);
    const rows = await t.governor.deps.db.select().from(agents).where(eq(agents.nameKey, name.toLowerCase()));
    expect(rows).toHaveLength(1);
    expect(
      answers.filter(
        (a) => a.response_action === "update" && JSON.stringify(a.view).includes("Request submitted"),
      ),
    ).toHaveLength(1);
    // The loser goes back to step 1 with the reason on top (the name is on that step).
    const loser = answers.find((a) => !JSON.stringify(a.view).includes("Request submitted"));
    expect(JSON.stringify(loser)).toContain("an agent with this name already exists");
  });
});
