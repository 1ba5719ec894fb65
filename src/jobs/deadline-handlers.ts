import { INCIDENT_DEADLINE_HANDLERS } from "../services/incidents/timers.ts";
import type { DeadlineHandlers } from "../services/timers/fire.ts";
import { REMEDIATION_DEADLINE_HANDLERS } from "../services/timers/handlers/remediation.ts";
import { REVIEW_DEADLINE_HANDLERS } from "../services/timers/handlers/reviews.ts";
import { SLA_DEADLINE_HANDLERS } from "../services/timers/handlers/sla.ts";

/**
 * Every deadline kind and its handler. Each feature exports its own map;
 * a kind without a handler makes the deadline job fail loudly.
 */
export const DEADLINE_HANDLERS: DeadlineHandlers = {
  ...SLA_DEADLINE_HANDLERS,
  ...REVIEW_DEADLINE_HANDLERS,
  ...REMEDIATION_DEADLINE_HANDLERS,
  ...INCIDENT_DEADLINE_HANDLERS,
};
