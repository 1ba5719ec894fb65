import postgres from "postgres";
import { overriding } from "./overriding.ts";

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
 * A transaction's BEGIN goes out with its first statement, and a transaction
 * of one statement nothing waits for is sent as that statement alone (see
 * `transaction`).
 *
 * `wrap` is applied to each connection's client and transaction (the
 * prepared-statement wrapper). drizzle's type parsers, set on `client.options`, are copied to
 * every connection opened later.
 */
export function createPool(
  url: string,
  options: postgres.Options<Record<string, postgres.PostgresType>>,
  max: number,
  wrap: (client: Sql) => Sql = (c) => c,
): Pool {
  if (!Number.isInteger(max) || max < 1) throw new Error(`pool size must be a positive integer, got ${max}`);
  /** How long a transaction waits for its connection to be ready before giving it up (ms). */
  const reserveTimeout = ((options.connect_timeout as number | undefined) ?? 30) * 1000 + 5000;
  // No max_lifetime or idle_timeout (whatever the URL or PG* variables say): a
  // connection closing itself is, for a moment, neither open nor closed, and
  // postgres.js 3.4 can then lose a reserve() made in that moment.
  const open = (): Sql => wrap(postgres(url, { ...options, max: 1, max_lifetime: null, idle_timeout: 0 }));
  const first = open();
  const members: Sql[] = [first];
  const idle: Sql[] = [first];
  /** Members running only single statements (no transaction), with how many are in flight on each. */
  const shared = new Map<Sql, number>();
  const waiting: { exclusive: boolean; resolve: (member: Sql) => void; reject: (err: Error) => void }[] = [];
  /**
   * Members whose connection broke: postgres.js's client keeps state of it
   * that can wedge or misdirect its next statements, so it is closed at once
   * and, once its last user is done, a new one takes its place.
   */
  const broken = new Set<Sql>();
  /** Work under way or queued, which end() lets finish first. */
  const running = new Set<Promise<unknown>>();
  /** end() was called: new work is refused. */
  let ending = false;
  /** end() is done waiting: queued work is refused too, and nothing new is opened. */
  let closed = false;
  const closing = () => new Error("the database pool is closing");

  const grow = (): Sql => {
    const fresh = open();
    Object.assign(fresh.options.parsers, first.options.parsers);
    Object.assign(fresh.options.serializers, first.options.serializers);
    members.push(fresh);
    return fresh;
  };
  const breakMember = (member: Sql): void => {
    if (broken.has(member)) return;
    broken.add(member);
    member.end({ timeout: 0 }).catch(() => {});
  };
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
    if (closed) return Promise.reject(closing());
    const member = idle.pop();
    if (member) return take(member, exclusive);
    if (members.length < max) return take(grow(), exclusive);
    if (!exclusive && shared.size) {
      let least: Sql | undefined;
      for (const [m, n] of shared)
        if (!broken.has(m) && (least === undefined || n < shared.get(least)!)) least = m;
      if (least) return take(least, false);
    }
    return new Promise((resolve, reject) => waiting.push({ exclusive, resolve, reject }));
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
    if (broken.delete(member)) {
      members.splice(members.indexOf(member), 1);
      if (!waiting.length || closed) return;
      member = grow();
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
  const using = <T>(exclusive: boolean, task: (member: Sql) => Promise<T>): Promise<T> => {
    if (ending) return Promise.reject(closing());
    const work = (async () => {
      const member = await acquire(exclusive);
      try {
        return await task(member);
      } finally {
        release(member, exclusive);
      }
    })();
    const settled = work.then(
      () => {},
      () => {},
    );
    running.add(settled);
    void settled.then(() => running.delete(settled));
    return work;
  };

  const unsafe = (query: string, params?: unknown[], opts?: postgres.UnsafeQueryOptions) => {
    let rowsAsArrays = false;
    let result: Promise<unknown> | undefined;
    const run = () =>
      (result ??= using(false, async (member) => {
        const q = member.unsafe(query, params as postgres.ParameterOrJSON<never>[], opts);
        try {
          return rowsAsArrays ? await q.values() : await q;
        } catch (err) {
          // Other statements pipelined on this connection can no longer trust its replies.
          if (breaksConnection(err)) breakMember(member);
          throw err;
        }
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
  const begin = (a: unknown, b?: unknown) => {
    const [mode, body] = typeof a === "function" ? ["", a] : [String(a), b];
    return using(true, (member) =>
      transaction(member, mode, body as Body, wrap, () => breakMember(member), reserveTimeout),
    );
  };

  const client = overriding(first, { unsafe, begin });
  return {
    client,
    size: () => members.length,
    async end(opts) {
      ending = true;
      // Work already accepted finishes first (a connection asked to end inside
      // a transaction would wait out the whole timeout); then what still waits
      // for a connection is refused, and the connections close in the time left.
      const limit = opts?.timeout;
      const started = Date.now();
      if (running.size) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(running),
          ...(limit == null ? [] : [new Promise((r) => (timer = setTimeout(r, limit * 1000)))]),
        ]);
        clearTimeout(timer);
      }
      closed = true;
      for (const w of waiting.splice(0)) w.reject(closing());
      const left = limit == null ? limit : Math.max(0, limit - (Date.now() - started) / 1000);
      await Promise.all(members.map((m) => m.end(left == null ? opts : { ...opts, timeout: left })));
    },
  };
}

type Body = (tx: Sql) => unknown;
type Query =
  | postgres.PendingQuery<postgres.Row[]>
  | postgres.PendingQuery<(postgres.Row & Iterable<postgres.Row>)[]>;

/** A transaction's connection, and whether it was lost. */
interface TxState {
  conn: postgres.ReservedSql;
  wrapped: Sql;
  /** Names savepoints s0, s1, … */
  savepoints: number;
  /** Why the connection can no longer be used, once it cannot. */
  lost?: unknown;
  /** Rejects when the connection is lost. */
  gone: Promise<never>;
  lose: (err: unknown) => void;
  /** The transaction is ending (COMMIT or ROLLBACK sent) or has ended: statements made now are refused. */
  done: boolean;
}

/** What postgres.js calls when it runs a statement: its connection (internal, stable since 3.0). */
interface PgConnection {
  onclose: ((err: unknown) => void) | null;
}

/**
 * A failure that leaves the connection unusable: the server ended the session
 * (FATAL, PANIC), or the failure did not come from the server at all (the
 * socket failed, or postgres.js could not build a statement, which it reports
 * on the statement then in flight rather than on the one that failed, so the
 * connection's replies no longer match its statements).
 */
function breaksConnection(err: unknown): boolean {
  if (!(err instanceof postgres.PostgresError)) return true;
  const severity = (err as { severity?: string }).severity;
  return severity === "FATAL" || severity === "PANIC";
}

/**
 * Runs `body` in a transaction on one reserved connection, as postgres.js's
 * `begin` does, except that BEGIN is not waited for: it is sent together with
 * the transaction's first statement, saving a round trip per transaction.
 * What postgres.js guarantees is kept:
 * - statements go to that connection only, in order (never to a fresh one);
 * - a statement that failed rolls the transaction back even if the body
 *   caught its error, and the caller gets that first error rather than a
 *   later "transaction is aborted";
 * - a failed savepoint rolls back to itself;
 * - a failure at COMMIT (a deferred trigger) reaches the caller.
 * A transaction that turns out to be one statement is sent as that statement
 * alone (see scope): PostgreSQL runs a lone statement as a transaction of its
 * own, and BEGIN and COMMIT would each cost the server a reply of their own.
 * And more: if the connection breaks (see breaksConnection), every
 * statement still to come fails at once, none is left waiting, and the pool
 * replaces the member (`onLost`); statements made once its COMMIT or
 * ROLLBACK is sent are refused (they would run outside it, or in whatever
 * comes next on the connection); a COMMIT the server turned into ROLLBACK
 * fails.
 */
async function transaction(
  member: Sql,
  mode: string,
  body: Body,
  wrap: (client: Sql) => Sql,
  onLost: () => void,
  reserveTimeout: number,
): Promise<unknown> {
  const conn = await reserve(member, reserveTimeout, onLost);
  let connection: PgConnection | undefined;
  let lose!: (err: unknown) => void;
  const gone = new Promise<never>((_, reject) => {
    lose = reject;
  });
  gone.catch(() => {});
  const state: TxState = {
    conn,
    wrapped: wrap(conn),
    savepoints: 0,
    gone,
    done: false,
    lose(err) {
      if (state.lost !== undefined) return;
      state.lost = err;
      lose(err);
    },
  };
  const begin = conn.unsafe(`begin ${mode.replace(/[^a-z ]/gi, "")}`, [], {
    onexecute: (c: PgConnection) => {
      connection = c;
      c.onclose = (err) => state.lose(err);
      return true; // the next statements may follow at once
    },
  } as postgres.UnsafeQueryOptions);
  try {
    // A BEGIN with a mode (isolation level, read only) always goes out.
    return await scope(state, body, null, begin, mode.trim() === "");
  } finally {
    state.done = true;
    if (connection?.onclose) connection.onclose = null;
    if (state.lost === undefined) conn.release();
    else onLost();
  }
}

/**
 * member.reserve(), bounded: postgres.js 3.4 can lose a reservation made
 * while its connection closes or reconnects. One that never comes gives the
 * member up (the pool replaces it); one that comes too late is released.
 */
async function reserve(member: Sql, timeoutMs: number, onLost: () => void): Promise<postgres.ReservedSql> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const reserving = member.reserve();
  try {
    return await Promise.race([
      reserving,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          late = true;
          onLost();
          reject(new Error(`no database connection became ready within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (late) void reserving.then((c) => c.release()).catch(() => {});
  }
}

/** The subset of a postgres.js query that drizzle uses: awaited, or .values() then awaited. */
interface Statement {
  values(): Statement;
  then: Promise<unknown>["then"];
  catch: Promise<unknown>["catch"];
  finally: Promise<unknown>["finally"];
}

const ENDED = new Error("the transaction has already ended");

/**
 * The statement, failing as soon as the transaction's connection is lost,
 * and refused once the transaction is ending (its COMMIT or ROLLBACK sent):
 * it would run after them, outside the transaction. `final` is that COMMIT
 * or ROLLBACK itself.
 */
function guarded(state: TxState, query: Query, final = false): Statement {
  let settled: Promise<unknown> | undefined;
  const result = () =>
    (settled ??=
      state.lost !== undefined
        ? state.gone
        : state.done && !final
          ? Promise.reject(ENDED)
          : Promise.race([query, state.gone]));
  return statementOf(query, result);
}

/**
 * A statement held back, not sent until `send` (awaiting it waits for that).
 * `sent` is the statement itself, answered without the detour through the
 * hold (the transaction tracks that one).
 */
interface Held extends Statement {
  sent: Statement;
  send(): void;
}

function held(state: TxState, query: Query): Held {
  const sending = guarded(state, query);
  let send!: (started: Promise<unknown>) => void;
  const gate = new Promise<unknown>((resolve) => {
    send = resolve;
  });
  return Object.assign(
    statementOf(query, () => gate),
    {
      sent: sending,
      send: () => send(sending.then((v) => v)),
    },
  );
}

/** The first argument of a tagged template call. */
function isTemplate(arg: unknown): arg is TemplateStringsArray {
  return Array.isArray(arg) && Object.hasOwn(arg, "raw");
}

function statementOf(query: Query, result: () => Promise<unknown>): Statement {
  const statement: Statement = {
    values() {
      query.values();
      return statement;
    },
    // biome-ignore lint/suspicious/noThenProperty: a statement is awaited like a promise
    then: (onResolved, onRejected) => result().then(onResolved, onRejected),
    catch: (onRejected) => result().catch(onRejected),
    finally: (onFinally) => result().finally(onFinally),
  };
  return statement;
}

/**
 * Runs `body` between `opening` (BEGIN or SAVEPOINT) and its end. With `lazy`
 * (a plain BEGIN), BEGIN and the body's first statement are held back until
 * the body's second statement, or a savepoint, or until the work at hand has
 * run (a process.nextTick made while it runs comes after its promise
 * callbacks): a body still waiting by then (on that statement, say) gets
 * BEGIN and the statement, as without `lazy`. A body that has ended by then
 * with that one statement (a transaction that only appends to the audit
 * trail, whose append nobody waits for) has it sent alone: one message and
 * one reply instead of three. A body that made none sends nothing. A body
 * that fails while its first statement is held back has BEGIN, that
 * statement and ROLLBACK sent, as without `lazy`. (A statement sent alone
 * runs outside a transaction block: SET LOCAL alone does nothing, VACUUM
 * alone runs; neither is anything the app sends.)
 */
async function scope(
  state: TxState,
  body: Body,
  savepoint: string | null,
  opening: Query,
  lazy = false,
): Promise<unknown> {
  let failed: unknown;
  // Statements of this scope not answered yet (a savepoint waits for them before it ends).
  const unanswered = new Set<Promise<void>>();
  const track = (statement: Statement): Promise<void> => {
    const answered = statement.then(
      () => {},
      (err: unknown) => {
        if (err === ENDED) return; // refused, never sent: the transaction is not affected
        failed ??= err;
        if (breaksConnection(err)) state.lose(err);
      },
    );
    unanswered.add(answered);
    void answered.then(() => unanswered.delete(answered));
    return answered;
  };
  /** BEGIN, until it is sent (lazy only), and the first statement held back with it. */
  let unopened: Query | null = lazy ? opening : null;
  let first: Held | null = null;
  const open = (): void => {
    if (!unopened) return;
    track(guarded(state, unopened));
    unopened = null;
    if (first) {
      track(first.sent);
      first.send();
      first = null;
    }
  };
  const run = (query: Query): Statement => {
    if (unopened) {
      if (!first) {
        first = held(state, query);
        process.nextTick(open);
        return first;
      }
      open();
    }
    const statement = guarded(state, query);
    track(statement);
    return statement;
  };
  const unsafe = (query: string, params?: unknown[], opts?: postgres.UnsafeQueryOptions) =>
    run(state.wrapped.unsafe(query, params as postgres.ParameterOrJSON<never>[], opts));
  const nested = (a: unknown, b?: unknown) => {
    open();
    const name = `s${state.savepoints++}`;
    return scope(
      state,
      (typeof a === "function" ? a : b) as Body,
      name,
      state.conn.unsafe(`savepoint ${name}`),
    );
  };
  const file = (...args: Parameters<Sql["file"]>) => run(state.wrapped.file(...args));
  // t`…` makes a statement; other calls (t(rows), t(name)) make fragments, not statements.
  const client = overriding(state.wrapped, { unsafe, savepoint: nested, file }, (target, thisArg, args) => {
    const made: unknown = Reflect.apply(target, thisArg, args);
    return isTemplate(args[0]) ? run(made as Query) : made;
  });
  // Not awaited: it goes out with the first statement. Its failure fails the scope.
  // (If BEGIN itself failed, the statement after it would run outside a transaction;
  // a bare BEGIN fails only with its connection, which fails that statement too.)
  if (!lazy) track(guarded(state, opening));
  let result: unknown;
  let alone = false;
  try {
    const out = body(client);
    result = await (Array.isArray(out) ? Promise.all(out) : out);
    if (unopened) {
      // Nothing sent yet: the body made one statement or none, which goes alone.
      unopened = null;
      alone = true;
      const lone = first as Held | null;
      first = null;
      const answered = lone && track(lone.sent);
      lone?.send();
      state.done = true; // nothing more may join it (see guarded)
      await answered;
      if (failed !== undefined) throw failed;
      return result;
    }
    // A savepoint sees what its body did not wait for (an audit append, say), so
    // that a failure there rolls back to it alone; the top level leaves that to
    // its COMMIT, which goes out with those statements.
    if (savepoint) while (unanswered.size) await Promise.all(unanswered);
    if (failed !== undefined) throw failed;
  } catch (err) {
    // Nothing sent, nothing to roll back: a lone statement that failed, or a body
    // that failed before making any. One held back goes out and is rolled back
    // with the rest, as it would have been without the wait (whoever awaits it
    // gets its answer).
    const nothingSent = alone || (unopened !== null && !first);
    if (!nothingSent) open();
    if (!savepoint) state.done = true; // nothing more may join it (see guarded)
    if (nothingSent) throw err;
    if (state.lost === undefined)
      await guarded(
        state,
        state.conn.unsafe(savepoint ? `rollback to ${savepoint}` : "rollback"),
        true,
      ).catch(() => {});
    throw failed !== undefined && isAborted(err) ? failed : err;
  }
  if (!savepoint) {
    state.done = true;
    const done = (await guarded(state, state.conn.unsafe("commit"), true)) as { command?: string };
    // A statement the body did not wait for failed after all (perhaps inside a
    // savepoint, whose own failure the body never saw): the server rolled back.
    if (failed !== undefined) throw failed;
    if (done.command === "ROLLBACK")
      throw new Error("the transaction was rolled back: one of its statements failed");
  }
  return result;
}

/** "current transaction is aborted" (25P02), as postgres.js or drizzle (its cause) reports it. */
function isAborted(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null | undefined;
  return e?.code === "25P02" || e?.cause?.code === "25P02";
}
