import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { GOVERNANCE_EVENTS, MANDATORY_EVENTS } from "../../src/domain/audit.ts";

/**
 * The list of every service that changes state, and the audit events it
 * writes in its transaction (itself or through the helper named after "+").
 * A new state-changing service fails this test until it is listed here with
 * its events, or listed as exempt with the reason. Each flow's end-to-end
 * tests then check the entries are really written.
 */
const AUDITED: Record<string, string[]> = {
  "adr/submit.ts": ["adr_submitted", "tier_assigned", "adr_superseded"],
  "adr/assess.ts": ["security_assessment_completed"],
  "adr/assessment-access.ts": ["access_denied"],
  "adr/open-assessment.ts + adr/assessment-access.ts": ["access_denied"],
  "agents/mark-deployed.ts": ["agent_deployed", "access_denied"],
  "approval/open-review.ts": ["review_started"],
  "approval/cast-vote.ts": ["vote_cast"],
  "approval/decide.ts": ["decision_made"],
  "approval/deny.ts": ["access_denied"],
  "approval/prepare-vote.ts + approval/deny.ts": ["access_denied"],
  "approval/prepare-completion.ts + approval/deny.ts": ["access_denied"],
  "approval/prepare-raise-tier.ts + approval/deny.ts": ["access_denied"],
  "approval/raise-tier.ts": ["tier_raised"],
  "approval/withdraw.ts": ["adr_withdrawn"],
  "approval/complete-condition.ts": ["condition_completed", "remediation_completed"],
  "audit/anchor.ts": ["audit_anchored"],
  "audit/config-change.ts": ["config_changed"],
  "audit/nightly.ts": ["audit_verification_failed"],
  "incidents/declare.ts": ["incident_declared"],
  "incidents/agent-status.ts": ["agent_suspended", "security_control_activated", "agent_restored"],
  "incidents/acknowledge.ts": ["incident_acknowledged"],
  "incidents/escalate.ts": ["incident_escalated", "escalation_triggered"],
  "incidents/change-severity.ts": ["incident_severity_changed"],
  "incidents/update-checklist.ts": ["incident_checklist_updated"],
  "incidents/resolve.ts": ["incident_resolved"],
  "incidents/access.ts": ["access_denied"],
  "incidents/convene-quorum.ts + incidents/quorum-open.ts": ["quorum_opened"],
  "incidents/quorum-open.ts": ["quorum_opened"],
  "incidents/cast-quorum-vote.ts": ["quorum_vote_cast"],
  "incidents/quorum-close.ts": ["quorum_closed"],
  "incidents/timers.ts": ["incident_repaged"],
  "incidents/complete-review.ts": ["post_incident_review_completed"],
  "reviews/start-review.ts": ["access_denied"],
  "reviews/complete-review.ts": [
    "review_completed",
    "agent_suspended",
    "agent_decommissioned",
    "token_revoked",
  ],
  "runtime/tokens.ts": ["token_issued", "token_revoked"],
  "timers/reviews.ts": ["review_scheduled"],
  "timers/handlers/sla.ts": ["sla_reminder_sent", "sla_breached"],
  "timers/handlers/reviews.ts": ["review_reminder_sent", "review_overdue"],
  "timers/handlers/remediation.ts": ["condition_overdue"],
};

const EXEMPT: Record<string, string> = {
  "adr/drafts.ts": "a person's unsubmitted form: not a governance record",
  "approval/home.ts": "reads only (App Home)",
  "audit/append.ts": "the audit append itself",
  "audit/verify-parallel.ts": "reads only (verification's fast pass)",
  "digest/weekly.ts": "posts a notification; changes no governance state",
  "effects.ts": "outbox and deadline rows, written inside the audited transactions of the services",
  "outbox/claim.ts": "claims a message for delivery: bookkeeping of messages audited with their change",
  "outbox/deliver.ts": "delivery bookkeeping of messages already audited with their change",
  "outbox/dm-channels.ts": "an in-memory cache of DM channel ids",
  "outbox/mark-sent.ts": "marks messages sent: delivery bookkeeping",
  "run.ts": "the transaction runner",
  "runtime/ingest-events.ts": "appends the runtime's own MANDATORY_EVENTS (validated by the API schema)",
  "timers/fire.ts": "marks a deadline fired; its handler writes the entry",
  "timers/fire-due.ts": "marks due deadlines fired together; each handler writes its entry",
  "timers/sla.ts":
    "sets the SLA clock inside open-review / raise-tier, which write review_started / tier_raised",
};

const SERVICES = join(import.meta.dirname, "../../src/services");
const read = (file: string) => readFileSync(join(SERVICES, file), "utf8");

function serviceFiles(dir = SERVICES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? serviceFiles(join(dir, d.name))
      : d.name.endsWith(".ts")
        ? [relative(SERVICES, join(dir, d.name))]
        : [],
  );
}

const changesState = (text: string) =>
  /inTransaction|\.insert\(|\.update\(|\.delete\(|appendBatch|audit\.append/.test(text);
const listed = new Set(Object.keys(AUDITED).map((k) => k.split(" + ")[0]!));

describe("every service that changes state writes its audit entry", () => {
  it("lists every state-changing service, or says why it is exempt", () => {
    const unlisted = serviceFiles().filter((f) => changesState(read(f)) && !listed.has(f) && !(f in EXEMPT));
    expect(unlisted).toEqual([]);
  });

  it.each(Object.entries(AUDITED))("%s writes %j", (files, events) => {
    const text = files
      .split(" + ")
      .map((f) => read(f))
      .join("\n");
    // `type: "x"`, or a conditional choosing it: `type: cond ? "x" : "y"`.
    for (const event of events)
      expect(text, event).toMatch(new RegExp(`type: (?:[^\n]*? )?"${event}"|: "${event}",$`, "m"));
  });

  it("has a writer for every governance event and accepts every mandatory runtime event", () => {
    const written = new Set(Object.values(AUDITED).flat());
    expect(GOVERNANCE_EVENTS.filter((e) => !written.has(e))).toEqual([]);
    const api = readFileSync(join(SERVICES, "../http/api/audit-events.ts"), "utf8");
    expect(api).toMatch(/z\.enum\(MANDATORY_EVENTS/);
    // The ones Slack flows also write themselves.
    expect(MANDATORY_EVENTS.filter((e) => written.has(e)).sort()).toEqual(
      ["access_denied", "escalation_triggered", "security_control_activated"].sort(),
    );
  });
});
