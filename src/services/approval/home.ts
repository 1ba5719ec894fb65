import type { HomeModel } from "../../../blocks/approval/home.ts";
import { HOME_LIST_MAX } from "../../../blocks/approval/home.ts";
import {
  adrIdsVotedBy,
  agentsOwnedBy,
  openItemsOwnedBy,
  postedMessages,
  reviewsInProgress,
} from "../../db/queries/approval.ts";
import { scheduledReviews } from "../../db/queries/reviews.ts";
import { eligibility } from "../../domain/approval.ts";
import { startReviewControl } from "../../slack/ids/reviews.ts";
import { markDoneControl } from "../../slack/ids/approval.ts";
import type { Deps } from "../deps.ts";
import { requestRef, signOffsFor, tierOf } from "./review-state.ts";

/** What the App Home shows one person: requests waiting on their vote, their agents, what they owe. */
export async function loadHome(deps: Deps, user: string): Promise<HomeModel> {
  const now = deps.now();
  const inReview = await reviewsInProgress(deps.db);
  const waiting: HomeModel["pendingVotes"] = [];
  const voted = await adrIdsVotedBy(
    deps.db,
    user,
    inReview.map((r) => r.adr.id),
  );
  for (const { adr, agent } of inReview) {
    if (voted.has(adr.id)) continue;
    const required = signOffsFor(deps.config, tierOf(adr.tier), agent);
    const may = eligibility({
      voter: user,
      submitter: adr.requester,
      businessOwner: agent.businessOwner,
      required,
    });
    if (!may.ok) continue;
    waiting.push({
      adrId: adr.id,
      agentName: agent.name,
      tier: adr.tier,
      role: may.roles.join("+"),
      slaDueAt: adr.slaDueAt,
      link: null,
    });
  }
  const shown = waiting.slice(0, HOME_LIST_MAX);
  const messages = await postedMessages(
    deps.db,
    shown.map((w) => requestRef(w.adrId)),
  );
  const base = messages.length ? await workspaceUrl(deps) : null;
  for (const w of shown) {
    const m = messages.find((x) => x.ref === requestRef(w.adrId));
    if (m && base) w.link = `${base}archives/${m.channel}/p${m.ts.replace(".", "")}`;
  }
  const agents = await agentsOwnedBy(deps.db, user, HOME_LIST_MAX + 1);
  const items = await openItemsOwnedBy(deps.db, user, HOME_LIST_MAX + 1);
  const reviews = await scheduledReviews(deps.db, {
    until: new Date(now.getTime() + 30 * 86_400_000),
    owner: user,
    limit: HOME_LIST_MAX,
  });
  return {
    pendingVotes: waiting,
    agents: agents.map((a) => ({
      name: a.name,
      status: a.status,
      approvalStatus: a.approvalStatus,
      tier: a.riskTier,
      nextReviewDate: a.nextReviewDate,
    })),
    items: items.map(({ item, agentName }) => ({
      text: item.description,
      deadline: item.deadline,
      overdue: item.deadline.getTime() < now.getTime(),
      about: item.adrId
        ? `Condition of ADR-${item.adrId}${agentName ? ` (${agentName})` : ""}`
        : `Action from incident ${item.incidentId ?? "?"}${agentName ? ` (${agentName})` : ""}`,
      control: markDoneControl(item.id),
    })),
    reviews: reviews.map((r) => ({
      agentName: r.agentName,
      kind: r.kind,
      dueAt: r.dueAt,
      overdue: r.dueAt.getTime() < now.getTime(),
      control: startReviewControl(r.reviewId),
    })),
  };
}
/** The workspace's base URL (for message links), asked of Slack once per process. */
const urls = new WeakMap<object, Promise<string | null>>();
function workspaceUrl(deps: Deps): Promise<string | null> {
  let url = urls.get(deps.slack);
  if (!url) {
    url = deps.slack.auth
      .test()
      .then((r) => (typeof r.url === "string" && /^https:\/\/[^\s|<>]+\/$/.test(r.url) ? r.url : null))
      .catch(() => null)
      .then((found) => {
        if (!found) urls.delete(deps.slack); // ask again next time
        return found;
      });
    urls.set(deps.slack, url);
  }
  return url;
}
