import postgres from "postgres";

type Sql = postgres.Sql;

export interface Pool {
  /** What drizzle is given: `unsafe` and `begin` run on a pooled connection. */
  client: Sql;
  /** Connections opened so far (each is opened at its first use). */
  size(): number;
  end(options?: { timeout?: number }): Promise<void>;
}

/**
 * A pool of Postgres connections that hands out the most recently released
 * one first.
 *
 * postgres.js's own pool hands out its idle connections in turn, so once a
 * burst has opened ten of them, every later request goes to a different one,
 * each time to a server process that has not run for a while (measured: one
 * writer's audit appends 1,460/s on one connection, 800/s rotating over 40).
 * Here each connection is a postgres.js client of its own (max 1): a request
 * takes the last one released, opens a new one only when all are busy (up to
 * `max`); past that, a single statement is pipelined on the least busy
 * connection that is not in a transaction (as postgres.js does), and a
 * transaction waits its turn. Under light load the same one or two
 * connections do the work.
 *
 * `wrap` is applied to each connection's client (the prepared-statement
 * wrapper). drizzle's type parsers, set on `client.options`, are copied to
 * every connection opened later.
 */
export function createPool(
  url: string,
  options: postgres.Options<Record<string, postgres.PostgresType>>,
  max: number,
  wrap: (client: Sql) => Sql = (c) => c,
): Pool {
  if (!Number.isInteger(max) || max < 1) throw new Error(`pool size must be a positive integer, got ${max}`);
  const open = (): Sql => wrap(postgres(url, { ...options, max: 1 }));
  const first = open();
  const members: Sql[] = [first];
  const idle: Sql[] = [first];
  /** Members running only single statements (no transaction), with how many are in flight on each. */
  const shared = new Map<Sql, number>();
  const waiting: { exclusive: boolean; resolve: (member: Sql) => void }[] = [];

  const take = (member: Sql, exclusive: boolean): Sql => {
    if (!exclusive) shared.set(member, (shared.get(member) ?? 0) + 1);
    return member;
  };
  /**
   * A connection for a transaction (exclusive) or for one statement. When every
   * connection is open and busy, a statement joins the least busy one that is
   * not inside a transaction (postgres.js pipelines it there); a transaction,
   * or a statement when all are in transactions, waits its turn.
   */
  const acquire = (exclusive: boolean): Sql | Promise<Sql> => {
    const member = idle.pop();
    if (member) return take(member, exclusive);
    if (members.length < max) {
      const fresh = open();
      Object.assign(fresh.options.parsers, first.options.parsers);
      Object.assign(fresh.options.serializers, first.options.serializers);
      members.push(fresh);
      return take(fresh, exclusive);
    }
    if (!exclusive && shared.size) {
      let least: Sql | undefined;
      for (const [m, n] of shared) if (least === undefined || n < shared.get(least)!) least = m;
      return take(least!, false);
    }
    return new Promise((resolve) => waiting.push({ exclusive, resolve }));
  };
  const release = (member: Sql, exclusive: boolean): void => {
    if (!exclusive) {
      const left = shared.get(member)! - 1;
      if (left > 0) {
        shared.set(member, left);
        return;
      }
      shared.delete(member);
    }
    const next = waiting.shift();
    if (!next) {
      idle.push(member);
      return;
    }
    next.resolve(take(member, next.exclusive));
    // Statements queued behind it share the connection too, unless it went to a transaction.
    while (!next.exclusive && waiting[0] && !waiting[0].exclusive)
      waiting.shift()!.resolve(take(member, false));
  };
  const using = async <T>(exclusive: boolean, task: (member: Sql) => Promise<T>): Promise<T> => {
    const member = await acquire(exclusive);
    try {
      return await task(member);
    } finally {
      release(member, exclusive);
    }
  };

  const unsafe = (query: string, params?: unknown[], opts?: postgres.UnsafeQueryOptions) => {
    let rowsAsArrays = false;
    let result: Promise<unknown> | undefined;
    const run = () =>
      (result ??= using(false, async (member) => {
        const q = member.unsafe(query, params as postgres.ParameterOrJSON<never>[], opts);
        return rowsAsArrays ? await q.values() : await q;
      }));
    // The subset of postgres.js's PendingQuery that drizzle uses: await, or .values() then await.
    const pending = {
      values() {
        rowsAsArrays = true;
        return pending;
      },
      // biome-ignore lint/suspicious/noThenProperty: a PendingQuery is awaited like a promise
      then<A, B>(
        onResolved?: (v: unknown) => A | PromiseLike<A>,
        onRejected?: (e: unknown) => B | PromiseLike<B>,
      ) {
        return run().then(onResolved, onRejected);
      },
      catch<B>(onRejected?: (e: unknown) => B | PromiseLike<B>) {
        return run().catch(onRejected);
      },
      finally(onFinally?: () => void) {
        return run().finally(onFinally);
      },
    };
    return pending;
  };
  const begin = (a: unknown, b?: unknown) =>
    using(true, (member) => (member.begin as (x: unknown, y?: unknown) => Promise<unknown>)(a, b));

  const client = new Proxy(first, {
    get: (target, prop, receiver) =>
      prop === "unsafe" ? unsafe : prop === "begin" ? begin : Reflect.get(target, prop, receiver),
  });
  return {
    client,
    size: () => members.length,
    async end(opts) {
      await Promise.all(members.map((m) => m.end(opts)));
    },
  };
}
