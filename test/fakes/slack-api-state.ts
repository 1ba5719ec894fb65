/**
 * Mutable state of the fake Slack Web API: registries a test fills (users, channels, user groups)
 * and stores the fake fills as the app calls it (messages, views, triggers, reactions, violations).
 */
import { randomBytes } from "node:crypto";
import { type BlockSurface, validateBlocks, validateView } from "./blockkit.ts";

export type Args = Record<string, unknown>;
/** A Slack Web API answer body; HTTP status is 200 unless a fault is injected. */
export type SlackAnswer = { ok: boolean; error?: string } & Record<string, unknown>;

export const FAKE_TEAM_ID = "T0000001";
export const FAKE_BOT_USER_ID = "UBOT0001";
export const FAKE_BOT_ID = "B0000001";
export const FAKE_APP_ID = "A0000001";

export interface FakeUser {
  id: string;
  name: string;
  email?: string;
  tz?: string;
  tz_offset?: number;
  is_bot?: boolean;
  real_name?: string;
  deleted?: boolean;
}

export interface FakeChannel {
  id: string;
  name?: string;
  members?: string[];
  is_private?: boolean;
  is_archived?: boolean;
}

export interface FakeTeam {
  id: string;
  name: string;
  domain: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown;
  thread_ts?: string;
  user: string;
  bot_id: string;
}

/** A view as the fake answers it (and as `views.*` return it under `view`). */
export type StoredView = Args & { id: string; hash: string; type: string };

export class FakeSlackState {
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly usergroups = new Map<string, string[]>();
  readonly messages = new Map<string, StoredMessage>();
  readonly views = new Map<string, StoredView>();
  readonly homeViews = new Map<string, string>();
  readonly reactions = new Set<string>();
  readonly violations: string[] = [];
  private readonly triggersIssued = new Map<string, number>();
  private readonly triggersUsed = new Set<string>();
  private tsCounter = 0;
  private idCounter = 0;

  constructor(
    readonly team: FakeTeam,
    readonly triggerTtlMs: number,
    readonly validate: boolean,
  ) {}

  addUser(user: FakeUser): FakeUser {
    const stored: FakeUser = { tz: "UTC", tz_offset: 0, is_bot: false, ...user };
    this.users.set(user.id, stored);
    return stored;
  }

  findUserByEmail(email: string): FakeUser | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.users.values()].find((u) => u.email?.toLowerCase() === wanted);
  }

  addChannel(channel: FakeChannel): void {
    this.channels.set(channel.id, channel);
  }

  /** Next message ts: unique and increasing, e.g. "1700000000.000100", "1700000000.000200". */
  nextTs(): string {
    this.tsCounter += 1;
    const micros = this.tsCounter * 100;
    const seconds = 1_700_000_000 + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, "0")}`;
  }

  nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${String(this.idCounter).padStart(10, "0")}`;
  }

  newHash(): string {
    return `${Math.floor(Date.now() / 1000)}.${randomBytes(6).toString("hex")}`;
  }

  /** A trigger_id shaped like Slack's, remembered with its issue time (expires after triggerTtlMs). */
  newTriggerId(): string {
    const id = `${Date.now()}${this.idCounter++}.${this.team.id.slice(1)}.${randomBytes(16).toString("hex")}`;
    this.triggersIssued.set(id, Date.now());
    return id;
  }

  /** Returns a Slack error code when the trigger cannot open a view; undefined when it can. */
  checkTrigger(args: Args): string | undefined {
    const trigger = args.trigger_id ?? args.interactivity_pointer;
    if (typeof trigger !== "string" || trigger === "") return "invalid_arguments";
    if (this.triggersUsed.has(trigger)) return "exchanged_trigger_id";
    const issued = this.triggersIssued.get(trigger);
    if (issued !== undefined && Date.now() - issued > this.triggerTtlMs) return "expired_trigger_id";
    return undefined;
  }

  consumeTrigger(args: Args): void {
    const trigger = args.trigger_id ?? args.interactivity_pointer;
    if (typeof trigger === "string") this.triggersUsed.add(trigger);
  }

  /** Validates blocks / a view; records violations as "<method>: <violation>"; returns them. */
  check(method: string, what: { blocks?: unknown; view?: unknown; surface: BlockSurface }): string[] {
    if (!this.validate) return [];
    const found =
      what.surface === "message"
        ? what.blocks === undefined
          ? []
          : validateBlocks(what.blocks, "message")
        : validateView(what.view, what.surface);
    for (const v of found) this.violations.push(`${method}: ${v}`);
    return found;
  }

  messageKey(channel: string, ts: string): string {
    return `${channel}/${ts}`;
  }

  /** Clears what the app produced; keeps registries (users, channels, user groups). */
  reset(): void {
    this.messages.clear();
    this.views.clear();
    this.homeViews.clear();
    this.reactions.clear();
    this.violations.length = 0;
    this.triggersIssued.clear();
    this.triggersUsed.clear();
  }
}

export function invalidBlocks(errors: string[]): SlackAnswer {
  return {
    ok: false,
    error: "invalid_blocks",
    errors,
    response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
  };
}

export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
