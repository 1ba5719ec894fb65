import { and, asc, eq, gte, lt, or } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { agentReviews, agents } from "../schema/index.ts";

export interface ScheduledReview {
  reviewId: number;
  agentName: string;
  kind: string;
  dueAt: Date;
}

/** Scheduled agent reviews due before `until` (from `from` on, if given; of one owner's agents, if given), soonest first. */
export function scheduledReviews(
  db: DbOrTx,
  range: { until: Date; from?: Date | null; owner?: string; limit?: number },
): Promise<ScheduledReview[]> {
  const query = db
    .select({
      reviewId: agentReviews.id,
      agentName: agents.name,
      kind: agentReviews.kind,
      dueAt: agentReviews.dueAt,
    })
    .from(agentReviews)
    .innerJoin(agents, eq(agents.id, agentReviews.agentId))
    .where(
      and(
        eq(agentReviews.status, "scheduled"),
        lt(agentReviews.dueAt, range.until),
        ...(range.from ? [gte(agentReviews.dueAt, range.from)] : []),
        ...(range.owner
          ? [or(eq(agents.businessOwner, range.owner), eq(agents.technicalOwner, range.owner))]
          : []),
      ),
    )
    .orderBy(asc(agentReviews.dueAt));
  return range.limit ? query.limit(range.limit) : query;
}
