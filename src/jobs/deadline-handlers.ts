import type { DeadlineHandlers } from "../services/timers/fire.ts";

/**
 * Every deadline kind and its handler. Each feature exports its own map;
 * a kind without a handler makes the deadline job fail loudly.
 */
export const DEADLINE_HANDLERS: DeadlineHandlers = {};
