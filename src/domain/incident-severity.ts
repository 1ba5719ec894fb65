/**
 * Incident severities: the framework's AGENT_INCIDENT_SEVERITY (examples,
 * response SLA, action checklist) plus the automatic actions of the spec.
 */
export type Severity = "SEV1" | "SEV2" | "SEV3";

export const SEVERITIES: readonly Severity[] = ["SEV1", "SEV2", "SEV3"];

export function isSeverity(value: unknown): value is Severity {
  return value === "SEV1" || value === "SEV2" || value === "SEV3";
}

/** 1 = most severe; for comparing an upgrade from a downgrade. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s) + 1;
}

export type AutomaticAction =
  | "suspend_agent"
  | "page_on_call"
  | "page_ciso"
  | "notify_board"
  | "open_emergency_quorum"
  | "alert_security"
  | "alert_agent_owner";

export type SeverityProfile = Readonly<{
  severity: Severity;
  label: "Critical" | "High" | "Medium";
  /** The framework's key, e.g. SEV1_CRITICAL. */
  frameworkKey: string;
  examples: readonly string[];
  /** Default time to acknowledge; governor.yaml `incident_sla` may override. */
  responseSlaMs: number;
  /** The framework's action checklist, shown on the page. */
  checklist: readonly string[];
  /** Carried out the moment the incident is declared at (or raised to) this severity. */
  automaticActions: readonly AutomaticAction[];
}>;

const MINUTE = 60_000;

export const SEVERITY: Readonly<Record<Severity, SeverityProfile>> = Object.freeze({
  SEV1: Object.freeze({
    severity: "SEV1",
    label: "Critical",
    frameworkKey: "SEV1_CRITICAL",
    examples: Object.freeze([
      "Agent successfully exfiltrated data to external URL",
      "Agent executed unauthorized financial transaction",
      "Agent bypassed access controls to access unauthorized data",
      "Agent deployed or executed malicious code",
    ]),
    responseSlaMs: 15 * MINUTE,
    checklist: Object.freeze([
      "IMMEDIATELY disable agent (automated)",
      "Page CISO and on-call engineer",
      "Initiate forensic log review",
      "Notify legal if regulated data involved",
      "Prepare customer/regulator notification if required",
    ]),
    automaticActions: Object.freeze([
      "suspend_agent",
      "page_on_call",
      "page_ciso",
      "notify_board",
      "open_emergency_quorum",
    ] as const),
  }),
  SEV2: Object.freeze({
    severity: "SEV2",
    label: "High",
    frameworkKey: "SEV2_HIGH",
    examples: Object.freeze([
      "Prompt injection attempt detected and blocked",
      "Agent output contained unexpected PII",
      "Unusual tool call pattern detected (possible manipulation)",
      "Agent hallucinated sensitive-seeming information",
    ]),
    responseSlaMs: 60 * MINUTE,
    checklist: Object.freeze([
      "Alert security team",
      "Begin enhanced monitoring",
      "Review recent session logs",
      "Determine if agent should be temporarily suspended",
    ]),
    automaticActions: Object.freeze(["page_on_call", "alert_security"] as const),
  }),
  SEV3: Object.freeze({
    severity: "SEV3",
    label: "Medium",
    frameworkKey: "SEV3_MEDIUM",
    examples: Object.freeze([
      "Agent performance degraded significantly",
      "Agent repeatedly failing to complete valid tasks",
      "Unexpected cost spike from excessive API calls",
    ]),
    responseSlaMs: 240 * MINUTE,
    checklist: Object.freeze([
      "Alert agent owner",
      "Investigate root cause",
      "Apply fix or rollback in next maintenance window",
    ]),
    automaticActions: Object.freeze(["alert_agent_owner"] as const),
  }),
});

/** How long the SEV1 emergency quorum stays open without quorum. */
export const EMERGENCY_QUORUM_WINDOW_MS = 4 * 60 * MINUTE;
