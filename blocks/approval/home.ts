import type { HomeView, KnownBlock } from "@slack/types";
import { button, type Control, esc, OUTCOME_LABEL, roleLabel, slackDate, slackDay } from "./format.ts";

/** The App Home tab: what waits on me, my agents, what I owe. At most 100 blocks. */
export type HomeModel = {
  pendingVotes: {
    adrId: number;
    agentName: string;
    tier: number;
    role: string;
    slaDueAt: Date | null;
    link: string | null;
  }[];
  agents: {
    name: string;
    status: string;
    approvalStatus: string;
    tier: number | null;
    nextReviewDate: Date | null;
  }[];
  items: {
    text: string;
    deadline: Date;
    about: string;
    overdue: boolean;
    control: Control;
  }[];
  /** Scheduled reviews of my agents that are due within 30 days or overdue. */
  reviews?: {
    agentName: string;
    kind: string;
    dueAt: Date;
    overdue: boolean;
    control: Control;
  }[];
  /** Sections other features add below (KPIs…), already built. */
  extra?: KnownBlock[];
};

export const HOME_LIST_MAX = 20;
const section = (text: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text } });
const header = (text: string): KnownBlock => ({ type: "header", text: { type: "plain_text", text } });
const more = (n: number): KnownBlock[] =>
  n > 0 ? [{ type: "context", elements: [{ type: "mrkdwn", text: `…and ${n} more` }] }] : [];

function list<T>(items: readonly T[], render: (item: T) => string, empty: string): KnownBlock[] {
  if (!items.length) return [section(empty)];
  const lines = items.slice(0, HOME_LIST_MAX).map(render);
  // Ten lines per section keeps each under Slack's 3000 characters.
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < lines.length; i += 10) blocks.push(section(lines.slice(i, i + 10).join("\n")));
  return [...blocks, ...more(items.length - HOME_LIST_MAX)];
}

export function homeView(m: HomeModel): HomeView {
  const votes = list(
    m.pendingVotes,
    (p) => {
      const name = `ADR-${p.adrId} (${esc(p.agentName, 80)})`;
      const title = p.link ? `<${p.link}|${name}>` : name;
      return `• ${title}: tier ${p.tier}, as ${esc(roleLabel(p.role), 40)}, due ${slackDate(p.slaDueAt)}`;
    },
    "_Nothing waits for your vote._",
  );
  const agents = list(
    m.agents,
    (a) =>
      `• *${esc(a.name, 80)}*: ${esc(a.status, 20)}, approval ${esc(OUTCOME_LABEL[a.approvalStatus] ?? a.approvalStatus, 30)}` +
      `${a.tier ? `, tier ${a.tier}` : ""}, next review ${slackDay(a.nextReviewDate)}`,
    "_You own no agents._",
  );
  const items: KnownBlock[] = m.items.length ? [] : [section("_You have no open conditions or actions._")];
  for (const item of m.items.slice(0, HOME_LIST_MAX)) {
    const late = item.overdue ? " :warning: overdue" : "";
    items.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `${esc(item.text, 400)}\n_${esc(item.about, 120)}_, due ${slackDay(item.deadline)}${late}`,
      },
      accessory: button("Mark done", item.control, "primary"),
    });
  }
  items.push(...more(m.items.length - HOME_LIST_MAX));
  const reviews: KnownBlock[] = [];
  for (const r of (m.reviews ?? []).slice(0, HOME_LIST_MAX)) {
    const kind = r.kind === "post_deployment" ? "Post-deployment review" : "Periodic review";
    reviews.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*${esc(r.agentName, 80)}*: ${kind}, due ${slackDay(r.dueAt)}${r.overdue ? " :warning: overdue" : ""}`,
      },
      accessory: button("Start review", r.control),
    });
  }
  const blocks: KnownBlock[] = [
    header("Your pending votes"),
    ...votes,
    { type: "divider" },
    header("Your agents"),
    ...agents,
    { type: "divider" },
    header("Your open conditions and actions"),
    ...items,
    ...(reviews.length ? [{ type: "divider" } as KnownBlock, header("Reviews due"), ...reviews] : []),
    ...(m.extra ?? []),
  ];
  return { type: "home", blocks: blocks.slice(0, 100) };
}
