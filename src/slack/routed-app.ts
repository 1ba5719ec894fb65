import { type AnyMiddlewareArgs, App, type AppOptions, type Middleware } from "@slack/bolt";

type Listener = Middleware<AnyMiddlewareArgs>;
type Chain = readonly Listener[];

/**
 * A Bolt App that finds a request's listeners by id. Bolt runs every
 * registered listener's matcher chain on every request; with our forty-odd
 * listeners that alone cost about 0.3 ms of CPU per request, a fifth of a
 * slash command's whole cost. Here the common registrations (a command name,
 * an action_id, a view callback_id, an event type, each a plain string) go
 * into one table keyed by that id, and one global middleware runs only the
 * listeners filed under the request's id. Any other form (a RegExp, wider
 * constraints) is left to Bolt, whose own listener loop still runs for every
 * request, over those few.
 */
export class RoutedApp extends App {
  private readonly routes = new Map<string, Chain[]>();

  constructor(options: AppOptions) {
    super(options);
    this.use((args) => this.dispatch(args));
  }

  override command(...args: unknown[]): void {
    const [name, ...chain] = args;
    if (typeof name === "string") this.file(`command:${name}`, chain);
    else (super.command as (...a: unknown[]) => void)(...args);
  }

  override action(...args: unknown[]): void {
    const [id, ...chain] = args;
    const actionId = typeof id === "string" ? id : onlyKey(id, "action_id");
    if (actionId !== undefined) this.file(`action:${actionId}`, chain);
    else (super.action as (...a: unknown[]) => void)(...args);
  }

  override view(...args: unknown[]): void {
    const [id, ...chain] = args;
    // As in Bolt, a bare callback_id means a view_submission.
    const key = typeof id === "string" ? `view_submission:${id}` : viewKey(id);
    if (key !== undefined) this.file(key, chain);
    else (super.view as (...a: unknown[]) => void)(...args);
  }

  override event(...args: unknown[]): void {
    const [type, ...chain] = args;
    // Message events have Bolt's own rules (subtypes, "message.*" names): Bolt keeps them.
    if (typeof type === "string" && !type.startsWith("message")) this.file(`event:${type}`, chain);
    else (super.event as (...a: unknown[]) => void)(...args);
  }

  private file(key: string, chain: unknown[]): void {
    if (chain.length === 0 || !chain.every((l) => typeof l === "function"))
      throw new TypeError(`Slack listener for ${key} needs one or more functions`);
    this.routes.set(key, [...(this.routes.get(key) ?? []), chain as Listener[]]);
  }

  /**
   * Runs the listeners filed under the request's id alongside Bolt's own
   * listener loop (next), as Bolt runs matching listeners: all of them, the
   * request failing with the first error.
   */
  private async dispatch(args: AnyMiddlewareArgs & { next: () => Promise<void> }): Promise<void> {
    const chains = this.routes.get(routeKey(args) ?? "") ?? [];
    if (chains.length === 0) return args.next();
    const results = await Promise.allSettled([...chains.map((chain) => run(chain, args)), args.next()]);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}

/** The key a request's listeners are filed under (undefined: none of ours). */
function routeKey(args: AnyMiddlewareArgs): string | undefined {
  if ("command" in args && args.command) return `command:${args.command.command}`;
  if ("action" in args && args.action) {
    const id = (args.action as { action_id?: unknown }).action_id;
    return typeof id === "string" ? `action:${id}` : undefined;
  }
  if ("view" in args && args.view) return `${args.body.type}:${args.view.callback_id}`;
  if ("event" in args && args.event) return `event:${args.event.type}`;
  return undefined;
}

/** A listener chain as Bolt runs one: each gets the request's arguments and a next() into the rest. */
function run(chain: Chain, args: AnyMiddlewareArgs): Promise<void> {
  const step = async (i: number): Promise<void> => {
    const last = i === chain.length - 1;
    await chain[i]!({ ...args, next: last ? async () => {} : () => step(i + 1) } as never);
  };
  return step(0);
}

/** The value of `key` when the constraints are exactly `{ [key]: string }`. */
function onlyKey(constraints: unknown, key: string): string | undefined {
  if (typeof constraints !== "object" || constraints === null || constraints instanceof RegExp)
    return undefined;
  const entries = Object.entries(constraints);
  return entries.length === 1 && entries[0]![0] === key && typeof entries[0]![1] === "string"
    ? entries[0]![1]
    : undefined;
}

function viewKey(constraints: unknown): string | undefined {
  if (typeof constraints !== "object" || constraints === null || constraints instanceof RegExp)
    return undefined;
  const { callback_id, type, ...rest } = constraints as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof callback_id !== "string") return undefined;
  if (type !== "view_submission" && type !== "view_closed") return undefined;
  return `${type}:${callback_id}`;
}
