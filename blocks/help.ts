import type { KnownBlock } from "@slack/types";

export type HelpTopic = "agent-request" | "agent-incident" | "agent-inventory";

const HELP: Record<HelpTopic, { title: string; lines: string[] }> = {
  "agent-request": {
    title: "/agent-request: ask to deploy an AI agent",
    lines: [
      "`/agent-request` opens the Agent Deployment Request (ADR) form: what the agent is for, its owners, the tools and data it needs, and the six risk factors.",
      "`/agent-request import` lets you paste an ADR in YAML (the framework's template); every problem is listed with its path, and a valid file pre-fills the form for review.",
      "After you submit, the technical owner is asked to complete the security self-assessment. The risk tier (1–4) is computed with its reasons, and the request goes to the right approvers: the technical owner (tier 1), technical owner and CISO (tier 2) or the full committee (tiers 3–4), each with an SLA.",
      "`/agent-request help` shows this message.",
    ],
  },
  "agent-incident": {
    title: "/agent-incident: declare an incident with an AI agent",
    lines: [
      "`/agent-incident` opens a form: the agent, the severity, a summary and what you observed. `/agent-incident NAME` picks the agent for you (also: *Declare incident* on `/agent-inventory NAME`).",
      "*SEV1 critical* (data exfiltration, unauthorised transaction, bypassed access controls, malicious code): the agent is suspended at once, on-call and the CISO are paged, the board is notified and the committee's emergency quorum opens. Response within 15 minutes.",
      "*SEV2 high* (blocked prompt injection, unexpected PII in output, unusual tool-call pattern, hallucinated sensitive information): on-call is paged and security alerted. Response within 1 hour.",
      "*SEV3 medium* (degraded performance, repeated failures, cost spike): the agent's owners are alerted. Response within 4 hours.",
      "The page in the on-call channel has *Acknowledge*, *Escalate* and *Resolve* buttons; an unacknowledged page is repeated and the CISO mentioned.",
      "`/agent-incident help` shows this message.",
    ],
  },
  "agent-inventory": {
    title: "/agent-inventory: the AI agent inventory",
    lines: [
      "`/agent-inventory` lists every agent: name, risk tier, status, business owner and next review.",
      "`/agent-inventory NAME` shows one agent's governance record: owners, reviewers, tier and why, next review, and every request version, with a *Declare incident* button.",
      "Answers are visible only to you.",
      "`/agent-inventory help` shows this message.",
    ],
  },
};

export function helpMessage(topic: HelpTopic): { text: string; blocks: KnownBlock[] } {
  const h = HELP[topic];
  return {
    text: h.title,
    blocks: [
      { type: "header", text: { type: "plain_text", text: h.title.slice(0, 150) } },
      ...h.lines.map((line): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text: line } })),
    ],
  };
}
