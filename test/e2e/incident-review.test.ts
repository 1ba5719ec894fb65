import { execFile } from "node:child_process";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pirExport } from "../../src/cli/pir.ts";
import { parseEnv } from "../../src/config/env.ts";
import { postIncidentReviews, remediationItems } from "../../src/db/schema/index.ts";
import { REMEDIATION_SUBJECT } from "../../src/services/timers/remediation.ts";
import {
  INCIDENT_ACTIONS,
  INPUT_ACTION,
  incidentValue,
  RESOLVE_FIELDS,
  REVIEW_FIELDS,
} from "../../src/slack/ids/incident.ts";
import { createAgent } from "../support/agent-fixtures.ts";
import { BOT_TOKEN, PEOPLE, SIGNING_SECRET, startTestApp, type TestApp } from "../support/app.ts";
import {
  auditOf,
  clickPage,
  deadlinesOf,
  declareViaSlack,
  filledModal,
  pageMessage,
  textOf,
  until,
} from "../support/incidents.ts";
import { ROOT } from "../support/process.ts";
import { date, stateValues, user } from "../support/slack-requests.ts";

let t: TestApp;
let incidentId: number;
let pageTs: string;
beforeAll(async () => {
  t = await startTestApp();
  const agent = await createAgent(t.governor.deps.db, {
    name: "Onboarding Agent",
    businessOwner: PEOPLE.requester,
    technicalOwner: PEOPLE.techOwner,
  });
  const declared = await declareViaSlack(t, PEOPLE.oncall, {
    agentId: agent.id,
    severity: "SEV2",
    summary: "Agent output contained unexpected PII",
  });
  incidentId = declared.incidentId!;
  pageTs = (await pageMessage(t, incidentId)).ts;
  await clickPage(t, PEOPLE.oncall, INCIDENT_ACTIONS.acknowledge, incidentId);
  await until(
    "acknowledged",
    async () => (await auditOf(t, "incident_acknowledged", incidentId)).length === 1,
  );
  const click = await clickPage(t, PEOPLE.oncall, INCIDENT_ACTIONS.resolve, incidentId);
  await t.slack.viewSubmission({
    userId: PEOPLE.oncall,
    viewId: (await filledModal(t, click.triggerId)).viewId,
    values: stateValues({ [RESOLVE_FIELDS.resolution]: { [INPUT_ACTION]: "Output filter redeployed" } }),
  });
});
afterAll(async () => {
  await t?.close();
});

async function startReview(userId: string) {
  const click = await t.slack.blockAction({
    userId,
    actionId: INCIDENT_ACTIONS.startReview,
    value: incidentValue(incidentId),
    message: { ts: pageTs, channel: "CONCALL001" },
  });
  return filledModal(t, click.triggerId);
}

const today = new Date().toISOString().slice(0, 10);
const nextMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

function reviewValues(o: {
  rootCause?: string;
  actions?: { d?: string; owner?: string; deadline?: string }[];
}) {
  const map: Record<string, Record<string, ReturnType<typeof user> | string>> = {
    [REVIEW_FIELDS.rootCause]: { [INPUT_ACTION]: o.rootCause ?? "" },
    [REVIEW_FIELDS.why(1)]: { [INPUT_ACTION]: "The output filter missed a new PII pattern" },
    [REVIEW_FIELDS.why(2)]: { [INPUT_ACTION]: "Patterns are maintained by hand" },
    [REVIEW_FIELDS.contributingFactors]: { [INPUT_ACTION]: "No canary\nFriday deploy" },
    [REVIEW_FIELDS.affectedScope]: { [INPUT_ACTION]: "12 sessions, internal users only" },
    [REVIEW_FIELDS.controlsWorked]: { [INPUT_ACTION]: "Session audit logging" },
    [REVIEW_FIELDS.controlsFailed]: { [INPUT_ACTION]: "Output PII filter" },
    [REVIEW_FIELDS.processImprovements]: { [INPUT_ACTION]: "Review filter patterns monthly" },
    [REVIEW_FIELDS.policyChanges]: { [INPUT_ACTION]: "Require output validation for tier 2+" },
  };
  (o.actions ?? []).forEach((a, i) => {
    if (a.d !== undefined) map[REVIEW_FIELDS.actionDescription(i + 1)] = { [INPUT_ACTION]: a.d };
    if (a.owner !== undefined) map[REVIEW_FIELDS.actionOwner(i + 1)] = { [INPUT_ACTION]: user(a.owner) };
    if (a.deadline !== undefined)
      map[REVIEW_FIELDS.actionDeadline(i + 1)] = { [INPUT_ACTION]: date(a.deadline) };
  });
  return stateValues(map);
}

const reviewRow = async () =>
  (
    await t.governor.deps.db
      .select()
      .from(postIncidentReviews)
      .where(eq(postIncidentReviews.incidentId, incidentId))
  )[0]!;

describe("the post-incident review", () => {
  it("opens with the framework's fields and the timeline from the audit trail", async () => {
    const opened = await startReview(PEOPLE.techOwner);
    const view = opened.view as unknown as { blocks: { type: string; block_id?: string }[] };
    const ids = view.blocks.map((b) => b.block_id);
    for (let n = 1; n <= 5; n++) expect(ids).toContain(`pir.why_${n}`);
    expect(ids).toEqual(expect.arrayContaining([REVIEW_FIELDS.rootCause, REVIEW_FIELDS.actionOwner(5)]));
    const context = JSON.stringify(view.blocks.filter((b) => b.type === "context"));
    for (const event of ["incident_declared", "incident_acknowledged", "incident_resolved"]) {
      expect(context).toContain(event);
    }
    expect(t.fake.violations).toEqual([]);
  });

  it("refuses missing, half-filled and past entries on the exact fields, storing nothing", async () => {
    const { viewId } = await startReview(PEOPLE.techOwner);
    const res = await t.slack.viewSubmission({
      userId: PEOPLE.techOwner,
      viewId,
      values: reviewValues({
        actions: [
          { d: "Automate PII pattern updates" },
          { d: "Old", owner: PEOPLE.engineering, deadline: "2001-01-01" },
        ],
      }),
    });
    const body = res.body as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors).sort()).toEqual(
      [
        REVIEW_FIELDS.rootCause,
        REVIEW_FIELDS.actionOwner(1),
        REVIEW_FIELDS.actionDeadline(1),
        REVIEW_FIELDS.actionDeadline(2),
      ].sort(),
    );
    expect((await reviewRow()).status).toBe("pending");
  });

  it("completes once: remediation items with reminders, the review in the thread, an audit entry", async () => {
    const { viewId } = await startReview(PEOPLE.techOwner);
    const res = await t.slack.viewSubmission({
      userId: PEOPLE.techOwner,
      viewId,
      values: reviewValues({
        rootCause: "A new PII format was not covered by the output filter",
        actions: [
          { d: "Automate PII pattern updates", owner: PEOPLE.engineering, deadline: nextMonth },
          { d: "Add a canary stage", owner: PEOPLE.techOwner, deadline: today },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    const review = await reviewRow();
    expect(review).toMatchObject({ status: "completed", completedBy: PEOPLE.techOwner });
    const items = await t.governor.deps.db
      .select()
      .from(remediationItems)
      .where(eq(remediationItems.incidentId, incidentId));
    expect(items.map((i) => [i.source, i.owner, i.status])).toEqual([
      ["pir_action", PEOPLE.engineering, "open"],
      ["pir_action", PEOPLE.techOwner, "open"],
    ]);
    for (const item of items) {
      const timers = await deadlinesOf(t, REMEDIATION_SUBJECT, item.id);
      expect(timers.length).toBeGreaterThan(0);
    }
    await t.fake.waitFor((c) => c.args.thread_ts === pageTs && textOf(c).includes("Post-incident review"));
    expect(await auditOf(t, "post_incident_review_completed", incidentId)).toHaveLength(1);

    // Start review again: the modal says why; the stale form submitted again changes nothing.
    const again = await startReview(PEOPLE.chair);
    expect(JSON.stringify(again.view.blocks)).toContain("already completed");
    const stale = await t.slack.viewSubmission({
      userId: PEOPLE.chair,
      viewId,
      values: reviewValues({ rootCause: "Another opinion" }),
    });
    expect(stale.status).toBe(200);
    await t.fake.waitFor(
      (c) =>
        c.method === "chat.postMessage" &&
        c.args.channel === PEOPLE.chair &&
        String(c.args.text).includes("already completed"),
    );
    expect((await reviewRow()).completedBy).toBe(PEOPLE.techOwner);
    expect(await auditOf(t, "post_incident_review_completed", incidentId)).toHaveLength(1);
  });

  it("exports as Markdown with agov pir export; unknown ids exit 1, bad ids exit 2", async () => {
    const env = () => {
      const parsed = parseEnv({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        DATABASE_URL: t.databaseUrl,
      });
      if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
      return parsed.value;
    };
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      out: (s: string) => out.push(s),
      err: (s: string) => err.push(s),
      write: (s: string) => out.push(s) > 0,
    };
    expect(await pirExport.run(["999999"], io, env)).toBe(1);
    expect(err.join("\n")).toContain("no post-incident review for incident 999999");
    expect(await pirExport.run(["abc"], io, env)).toBe(2);
    expect(await pirExport.run([], io, env)).toBe(2);

    const cli = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          join(ROOT, "node_modules/tsx/dist/cli.mjs"),
          join(ROOT, "src/cli/main.ts"),
          "pir",
          "export",
          String(incidentId),
        ],
        {
          env: {
            PATH: process.env.PATH ?? "",
            SLACK_BOT_TOKEN: BOT_TOKEN,
            SLACK_SIGNING_SECRET: SIGNING_SECRET,
            DATABASE_URL: t.databaseUrl,
          },
        },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`# Post-incident review: incident #${incidentId} (SEV2)`);
    for (const heading of [
      "## Timeline",
      "## Root cause",
      "## Five whys",
      "## Remediation actions",
      "## Policy changes recommended",
    ]) {
      expect(cli.stdout).toContain(heading);
    }
    expect(cli.stdout).toContain("| Automate PII pattern updates |");
    expect(cli.stdout).toContain("incident_resolved");
  });
});

describe("what went to Slack", () => {
  it("respected every Block Kit limit", () => {
    expect(t.fake.violations).toEqual([]);
  });
});
