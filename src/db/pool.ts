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
 * `max`), and otherwise waits its turn. Under light load the same one or two
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
  const waiting: ((member: Sql) => void)[] = [];

  const acquire = (): Sql | Promise<Sql> => {
    const member = idle.pop();
    if (member) return member;
    if (members.length < max) {
      const fresh = open();
      Object.assign(fresh.options.parsers, first.options.parsers);
      Object.assign(fresh.options.serializers, first.options.serializers);
      members.push(fresh);
      return fresh;
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (member: Sql): void => {
    const next = waiting.shift();
    if (next) next(member);
    else idle.push(member);
  };
  const using = async <T>(task: (member: Sql) => Promise<T>): Promise<T> => {
    const member = await acquire();
    try {
      return await task(member);
    } finally {
      release(member);
    }
  };

  const unsafe = (query: string, params?: unknown[], opts?: postgres.UnsafeQueryOptions) => {
    let rowsAsArrays = false;
    let result: Promise<unknown> | undefined;
    const run = () =>
      (result ??= using(async (member) => {
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
    using((member) => (member.begin as (x: unknown, y?: unknown) => Promise<unknown>)(a, b));

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
