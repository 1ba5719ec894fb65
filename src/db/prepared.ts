import type postgres from "postgres";
import { overriding } from "./overriding.ts";

/** Bounds on what is kept prepared: the app's own statements, not ever-new bulk texts. */
const MAX_PREPARED_PARAMS = 64;
const MAX_PREPARED_TEXT = 8192;

type Unsafe = postgres.Sql["unsafe"];

/**
 * The postgres.js client drizzle is given, running statements prepared.
 *
 * drizzle runs every statement unprepared, and postgres.js sends an
 * unprepared statement that has parameters in two round trips: Parse and
 * Describe first, to learn the parameter types, then Bind and Execute. A
 * statement prepared on the connection goes in one round trip. So statements
 * whose parameters are all scalars (sent the same whatever types the server
 * gives them) run prepared, inside transactions and savepoints too. Other
 * statements (objects or arrays as parameters, bulk texts) keep drizzle's way,
 * which also bounds how many statements each connection keeps.
 */
export function withPreparedStatements(client: postgres.Sql): postgres.Sql {
  return wrap(client);
}

function wrap<T extends postgres.Sql | postgres.TransactionSql>(target: T): T {
  const unsafe = preparing(target.unsafe);
  const begin = (a: unknown, b?: unknown) => {
    const [mode, body] = typeof a === "function" ? ["", a] : [String(a), b];
    const run = body as (tx: postgres.TransactionSql) => unknown;
    return (target as postgres.Sql).begin(mode, (tx) => run(wrap(tx)) as never);
  };
  const savepoint = (a: unknown, b?: unknown) => {
    const [name, body] = typeof a === "function" ? [undefined, a] : [a as string, b];
    const run = body as (tx: postgres.TransactionSql) => unknown;
    const tx = target as postgres.TransactionSql;
    return name === undefined
      ? tx.savepoint((sp) => run(wrap(sp)) as never)
      : tx.savepoint(name, (sp) => run(wrap(sp)) as never);
  };
  return overriding(target, { unsafe, begin, savepoint });
}

function preparing(unsafe: Unsafe): Unsafe {
  return ((query: string, params?: unknown[], options?: postgres.UnsafeQueryOptions) =>
    unsafe(
      query,
      params as postgres.ParameterOrJSON<never>[],
      params?.length && preparable(query, params) ? { ...options, prepare: true } : options,
    )) as Unsafe;
}

function preparable(query: string, params: unknown[]): boolean {
  if (params.length > MAX_PREPARED_PARAMS || query.length > MAX_PREPARED_TEXT) return false;
  for (const p of params) {
    const t = typeof p;
    if (p !== null && t !== "string" && t !== "number" && t !== "boolean" && t !== "bigint") return false;
  }
  return true;
}
