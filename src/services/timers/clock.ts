import type { GovernorConfig } from "../../config/governor.ts";
import { type BusinessCalendar, makeCalendar } from "../../domain/calendar.ts";
import type { Committee } from "../../domain/quorum.ts";

/** The configured business calendar (makeCalendar caches zones and holiday books, so this is cheap). */
export function businessCalendar(config: GovernorConfig): BusinessCalendar {
  const { timezone, holidays } = config.calendar;
  return makeCalendar({ timezone, ...(holidays ? { holidays } : {}) });
}

export function committeeOf(config: GovernorConfig): Committee {
  return {
    chair: config.committee.chair,
    coChair: config.committee.co_chair,
    members: config.committee.members.map((m) => ({ user: m.user, role: m.role })),
  };
}
