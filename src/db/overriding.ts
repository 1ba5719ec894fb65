/**
 * `target` with some of its properties replaced by `methods` (and, with
 * `apply`, its calls intercepted). A postgres.js client is a function with
 * methods (`sql\`…\``, `sql.unsafe`, `sql.begin`…): a Proxy keeps it both,
 * and every property not replaced (options, types, helpers) still reads through.
 */
export function overriding<T extends object>(
  target: T,
  methods: Record<string, unknown>,
  apply?: (target: T, thisArg: unknown, args: unknown[]) => unknown,
): T {
  return new Proxy(target, {
    get: (t, prop, receiver) =>
      typeof prop === "string" && Object.hasOwn(methods, prop)
        ? methods[prop]
        : Reflect.get(t, prop, receiver),
    ...(apply ? { apply } : {}),
  });
}
