import type { OutboxRow } from "../../db/schema/index.ts";
import type { Deps } from "../deps.ts";
import { claimOutbox } from "./claim.ts";
import { deliverClaimed, type NextWorkingMoment } from "./deliver.ts";
import { groupedSentMarks } from "./mark-sent.ts";

/** An item the inline delivery left to its outbox job, and when that job should run. */
export interface LeftForJob {
  outboxId: number;
  at?: Date;
}

export interface InlineDelivery {
  /**
   * Delivers just-committed outbox items now, without a queue round trip per
   * item; returns those that still need their outbox job (a failed attempt,
   * a DM waiting for working hours, an item another deliverer holds).
   */
  deliver(outboxIds: number[]): Promise<LeftForJob[]>;
  /** The same for items this process claimed already (written claimed: see flushOutbox). */
  deliverClaimed(items: OutboxRow[]): Promise<LeftForJob[]>;
}

/**
 * Inline delivery for the timer worker. Items are claimed together (so an
 * outbox job for the same item waits, see claimOutbox), then sent with at
 * most `concurrency` Slack calls in flight across all callers; items of the
 * same message ref go in id order, one after the other (a reply after its
 * parent, updates in sequence). A crash after the claim loses nothing: the
 * claim lapses and the sweep (or the next start's reconcile) enqueues the
 * item's job.
 */
export function createInlineDelivery(
  deps: Deps,
  nextWorkingMoment: NextWorkingMoment,
  concurrency: number,
): InlineDelivery {
  const slots = new Slots(concurrency);
  const markSent = groupedSentMarks(deps.db, deps.now);
  const send = async (claimed: OutboxRow[], left: LeftForJob[]): Promise<LeftForJob[]> => {
    await Promise.all(
      byRef(claimed).map((sequence) =>
        slots.run(async () => {
          for (const item of sequence) {
            try {
              const result = await deliverClaimed(deps, item, nextWorkingMoment, markSent);
              if (typeof result === "object") left.push({ outboxId: item.id, at: result.deferUntil });
            } catch {
              left.push({ outboxId: item.id }); // released by deliverClaimed; the job retries with back-off
            }
          }
        }),
      ),
    );
    return left;
  };
  return {
    async deliver(outboxIds) {
      if (!outboxIds.length) return [];
      const claimed = await claimOutbox(deps.db, outboxIds, deps.now());
      const held = new Set(claimed.map((i) => i.id));
      return send(
        claimed,
        outboxIds.filter((id) => !held.has(id)).map((outboxId) => ({ outboxId })),
      );
    },
    deliverClaimed: (items) => send(items, []),
  };
}

/** Items grouped by message ref (in id order); items without a ref are each on their own. */
function byRef(items: OutboxRow[]): OutboxRow[][] {
  const groups = new Map<string, OutboxRow[]>();
  const alone: OutboxRow[][] = [];
  for (const item of [...items].sort((a, b) => a.id - b.id)) {
    if (!item.ref) {
      alone.push([item]);
      continue;
    }
    const group = groups.get(item.ref);
    if (group) group.push(item);
    else groups.set(item.ref, [item]);
  }
  return [...groups.values(), ...alone];
}

/** A counting semaphore. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}
