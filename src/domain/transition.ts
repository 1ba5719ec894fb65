/**
 * The result shape shared by every lifecycle: a pure `transition(state, event,
 * now)` either accepts (new state plus the effects a service must carry out in
 * the same transaction or through the outbox) or refuses with a reason that is
 * safe to show to the person who clicked.
 *
 * Refusal codes map onto GovernorError codes in services:
 * - `invalid_transition` → conflict (the state moved on or never allowed it)
 * - `duplicate`          → conflict (a double click / retry of something already done)
 * - `forbidden`          → forbidden (wrong person for this step)
 * - `invalid_input`      → validation (the event itself is incomplete)
 */
export type RefusalCode = "invalid_transition" | "duplicate" | "forbidden" | "invalid_input";

export type Refusal = { ok: false; code: RefusalCode; reason: string };

export type Transition<S, E> = { ok: true; state: S; effects: E[] } | Refusal;

export function refuse(code: RefusalCode, reason: string): Refusal {
  return { ok: false, code, reason };
}

export function accept<S, E>(state: S, effects: E[] = []): { ok: true; state: S; effects: E[] } {
  return { ok: true, state, effects };
}

/** Exhaustiveness guard for switches over unions. */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
