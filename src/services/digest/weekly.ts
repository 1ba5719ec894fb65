import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { type DigestRequest, type WeeklyDigest, weeklyDigestMessage } from "../../../blocks/timers/digest.ts";
import { adrs, agents, outbox, remediationItems } from "../../db/schema/index.ts";
import { scheduledReviews } from "../../db/queries/reviews.ts";
import type { Deps } from "../deps.ts";
import { enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";

const UPCOMING_DAYS = 14;

/** What the committee should look at this week, read from Postgres. */
export async function weeklyDigest(deps: Deps, now = deps.now()): Promise<WeeklyDigest> {
  const db = deps.db;
  const horizon = new Date(now.getTime() + UPCOMING_DAYS * 86_400_000);
  const pending = await db
    .select({
      adrId: adrs.id,
      agentName: agents.name,
      tier: adrs.tier,
      status: adrs.status,
      slaDueAt: adrs.slaDueAt,
      overdue: adrs.overdue,
    })
    .from(adrs)
    .innerJoin(agents, eq(agents.id, adrs.agentId))
    .where(inArray(adrs.status, ["awaiting_security_assessment", "in_review"]))
    .orderBy(sql`${adrs.slaDueAt} asc nulls last`, asc(adrs.id));
  const overdueItems = await db
    .select({
      itemId: remediationItems.id,
      agentName: agents.name,
      description: remediationItems.description,
      owner: remediationItems.owner,
      deadline: remediationItems.deadline,
    })
    .from(remediationItems)
    .leftJoin(agents, eq(agents.id, remediationItems.agentId))
    .where(and(eq(remediationItems.status, "open"), lt(remediationItems.deadline, now)))
    .orderBy(asc(remediationItems.deadline));
  const reviews = (from: Date | null, until: Date) => scheduledReviews(db, { from, until });
  return {
    weekOf:
      DateTime.fromJSDate(now, { zone: deps.config.calendar.timezone }).startOf("week").toISODate() ?? "",
    pending: pending.map((p) => ({ ...p, status: p.status as DigestRequest["status"] })),
    overdueItems,
    overdueReviews: await reviews(null, now),
    upcomingReviews: await reviews(now, horizon),
  };
}

/**
 * Posts the digest to the committee channel, once per week: a retried or
 * doubled job finds this week's post already queued (ref digest-<week>).
 */
export async function postWeeklyDigest(deps: Deps): Promise<void> {
  const digest = await weeklyDigest(deps);
  const ref = `digest-${digest.weekOf}`;
  await inTransaction(deps, async (tx, fx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${ref}))`);
    const [already] = await tx.select({ id: outbox.id }).from(outbox).where(eq(outbox.ref, ref)).limit(1);
    if (already) return;
    await enqueueOutbox(tx, fx, {
      op: "post",
      channel: deps.config.channels.committee,
      ref,
      message: weeklyDigestMessage(digest),
    });
  });
}
