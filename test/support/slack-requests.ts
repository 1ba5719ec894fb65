/**
 * Sends correctly signed requests to a running app, as Slack would: slash commands, interactivity
 * payloads (block_actions / view_submission / view_closed) and Events API callbacks, all POSTed to
 * `${appUrl}/slack/events`. Override timestamp/secret/signature per call for negative tests.
 */
import { randomBytes } from "node:crypto";
import { type Agent, request } from "node:http";
import { computeSlackSignature } from "../../src/slack/signature.ts";
import { FAKE_APP_ID, FAKE_BOT_ID, FAKE_BOT_USER_ID, type FakeSlack } from "../fakes/slack-api.ts";
import {
  actionObject,
  type BlockActionOptions,
  buildView,
  eventEnvelope,
  type Json,
  nextSeq,
  type ViewClosedOptions,
  type ViewSubmissionOptions,
} from "./slack-payloads.ts";

export type { BlockActionOptions, ViewClosedOptions, ViewSubmissionOptions } from "./slack-payloads.ts";
export * from "./slack-values.ts";

export interface SimResponse {
  status: number;
  /** Parsed JSON when the answer is JSON, else the text ("" for a bare ack). */
  body: unknown;
  headers: Record<string, string>;
  /** The interactivity payload / event envelope / form fields that were sent. */
  sent: Json;
  triggerId?: string;
  responseUrl?: string;
  eventId?: string;
}

export interface SendOptions {
  /** X-Slack-Request-Timestamp (seconds); default now. */
  timestamp?: number | string;
  /** Sign with this secret instead of the configured one. */
  secret?: string;
  /** Send this X-Slack-Signature verbatim; null omits the header. */
  signature?: string | null;
  omitTimestamp?: boolean;
  retryNum?: number;
  retryReason?: string;
  headers?: Record<string, string>;
}

export interface SlackClientSimOptions {
  /** e.g. "http://127.0.0.1:1234" */
  appUrl: string;
  signingSecret: string;
  fake?: FakeSlack;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  /** Request path; default "/slack/events". */
  path?: string;
  /** Clock (ms since epoch) for X-Slack-Request-Timestamp, if the app under test runs on a fake clock. */
  clock?: () => number;
  /**
   * Send over node:http with this (keep-alive) agent instead of fetch: about half
   * the CPU per request, for load generators that share a machine with the app.
   */
  agent?: Agent;
}

export interface SlashCommandOptions {
  userId: string;
  channelId?: string;
  channelName?: string;
  triggerId?: string;
  responseUrl?: string;
}

export class SlackClientSim {
  readonly appUrl: string;
  readonly signingSecret: string;
  readonly fake: FakeSlack | undefined;
  readonly teamId: string;
  readonly teamDomain: string;
  readonly apiAppId: string;
  readonly path: string;
  private readonly clock: () => number;
  private readonly agent: Agent | undefined;

  constructor(opts: SlackClientSimOptions) {
    this.appUrl = opts.appUrl.replace(/\/+$/, "");
    this.signingSecret = opts.signingSecret;
    this.fake = opts.fake;
    this.teamId = opts.teamId ?? "T0000001";
    this.teamDomain = opts.teamDomain ?? "fake-workspace";
    this.apiAppId = opts.apiAppId ?? FAKE_APP_ID;
    this.path = opts.path ?? "/slack/events";
    this.clock = opts.clock ?? Date.now;
    this.agent = opts.agent;
  }

  /** POST /slack/events with a form-encoded slash command. */
  async slashCommand(
    command: string,
    text: string,
    opts: SlashCommandOptions,
    send: SendOptions = {},
  ): Promise<SimResponse> {
    const fields = this.slashFields(command, text, opts);
    const res = await this.send(
      new URLSearchParams(fields).toString(),
      "application/x-www-form-urlencoded",
      send,
    );
    return { ...res, sent: fields, triggerId: fields.trigger_id, responseUrl: fields.response_url };
  }

  /**
   * A slash command's body and signed headers, built now and sent later by
   * the caller's own client (load generators that keep signing off the clock).
   */
  signedSlashCommand(
    command: string,
    text: string,
    opts: SlashCommandOptions,
  ): { body: string; headers: Record<string, string>; triggerId: string } {
    const fields = this.slashFields(command, text, opts);
    const body = new URLSearchParams(fields).toString();
    return {
      body,
      headers: this.signedHeaders(body, "application/x-www-form-urlencoded", {}),
      triggerId: fields.trigger_id!,
    };
  }

  private slashFields(command: string, text: string, opts: SlashCommandOptions): Record<string, string> {
    const channelId = opts.channelId ?? "C0000001";
    return {
      token: "verification-token",
      team_id: this.teamId,
      team_domain: this.teamDomain,
      channel_id: channelId,
      channel_name: opts.channelName ?? (channelId.startsWith("D") ? "directmessage" : "general"),
      user_id: opts.userId,
      user_name: this.userName(opts.userId),
      command: command.startsWith("/") ? command : `/${command}`,
      text,
      api_app_id: this.apiAppId,
      is_enterprise_install: "false",
      response_url: opts.responseUrl ?? this.newResponseUrl(),
      trigger_id: opts.triggerId ?? this.newTriggerId(),
    };
  }

  /** A `block_actions` interactivity payload (button click, select, ...) on a message or in a view. */
  async blockAction(opts: BlockActionOptions, send: SendOptions = {}): Promise<SimResponse> {
    const triggerId = opts.triggerId ?? this.newTriggerId();
    const action = actionObject(opts);
    const payload: Json = {
      type: "block_actions",
      user: this.user(opts.userId),
      api_app_id: this.apiAppId,
      token: "verification-token",
      trigger_id: triggerId,
      team: { id: this.teamId, domain: this.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      actions: [action],
    };
    let responseUrl: string | undefined;
    if (opts.view !== undefined || opts.viewId !== undefined) {
      const view = buildView(this, opts.viewId, opts.view, { values: opts.stateValues });
      payload.container = { type: "view", view_id: view.id };
      payload.view = view;
    } else {
      const msg = opts.message ?? { ts: "1700000000.000001", channel: "C0000001" };
      const stored = this.fake?.getMessage(msg.channel, msg.ts);
      responseUrl = opts.responseUrl ?? this.newResponseUrl();
      payload.container = {
        type: "message",
        message_ts: msg.ts,
        channel_id: msg.channel,
        is_ephemeral: false,
      };
      payload.channel = { id: msg.channel, name: msg.channel.startsWith("D") ? "directmessage" : "general" };
      payload.message = {
        type: "message",
        user: FAKE_BOT_USER_ID,
        bot_id: FAKE_BOT_ID,
        app_id: this.apiAppId,
        team: this.teamId,
        ts: msg.ts,
        text: msg.text ?? stored?.text ?? "",
        blocks: msg.blocks ?? stored?.blocks ?? [],
        ...(msg.threadTs ? { thread_ts: msg.threadTs } : {}),
      };
      payload.state = { values: opts.stateValues ?? {} };
      payload.response_url = responseUrl;
    }
    const res = await this.sendPayload(payload, send);
    return { ...res, triggerId, ...(responseUrl ? { responseUrl } : {}) };
  }

  /** A `view_submission` payload; `values` is the state.values shape (see stateValues()). */
  async viewSubmission(opts: ViewSubmissionOptions, send: SendOptions = {}): Promise<SimResponse> {
    const triggerId = opts.triggerId ?? this.newTriggerId();
    const view = buildView(this, opts.viewId, opts.view, {
      callbackId: opts.callbackId,
      privateMetadata: opts.privateMetadata,
      hash: opts.hash,
      values: opts.values ?? {},
    });
    const payload: Json = {
      type: "view_submission",
      team: { id: this.teamId, domain: this.teamDomain },
      user: this.user(opts.userId),
      api_app_id: this.apiAppId,
      token: "verification-token",
      trigger_id: triggerId,
      view,
      response_urls: opts.responseUrls ?? [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return { ...(await this.sendPayload(payload, send)), triggerId };
  }

  /** A `view_closed` payload (sent only for views opened with notify_on_close: true). */
  async viewClosed(opts: ViewClosedOptions, send: SendOptions = {}): Promise<SimResponse> {
    const view = buildView(this, opts.viewId, opts.view, {
      callbackId: opts.callbackId,
      privateMetadata: opts.privateMetadata,
    });
    const payload: Json = {
      type: "view_closed",
      team: { id: this.teamId, domain: this.teamDomain },
      user: this.user(opts.userId),
      api_app_id: this.apiAppId,
      token: "verification-token",
      view,
      is_cleared: opts.isCleared ?? false,
      is_enterprise_install: false,
      enterprise: null,
    };
    return this.sendPayload(payload, send);
  }

  /**
   * An Events API delivery (JSON). Pass the inner event (`{type: "app_home_opened", user, tab: "home"}`):
   * it is wrapped in an `event_callback` envelope. A body whose type is "event_callback" or
   * "url_verification" is sent as is. Reuse `eventId` to simulate a redelivery.
   */
  async event(event: Json, opts: SendOptions & { eventId?: string } = {}): Promise<SimResponse> {
    const eventId = opts.eventId ?? `Ev${String(nextSeq()).padStart(9, "0")}`;
    const envelope = eventEnvelope(this, event, eventId);
    const res = await this.send(JSON.stringify(envelope), "application/json", opts);
    return { ...res, sent: envelope, eventId };
  }

  /** Any body, signed (unless overridden); `headers` may replace content-type. */
  async raw(
    body: string,
    headers: Record<string, string> = {},
    send: SendOptions = {},
  ): Promise<SimResponse> {
    const contentType =
      headers["content-type"] ?? headers["Content-Type"] ?? "application/x-www-form-urlencoded";
    const res = await this.send(body, contentType, { ...send, headers: { ...headers, ...send.headers } });
    return { ...res, sent: { body } };
  }

  private sendPayload(payload: Json, send: SendOptions): Promise<SimResponse> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.send(body, "application/x-www-form-urlencoded", send).then((res) => ({
      ...res,
      sent: payload,
    }));
  }

  private signedHeaders(body: string, contentType: string, opts: SendOptions): Record<string, string> {
    const timestamp = String(opts.timestamp ?? Math.floor(this.clock() / 1000));
    const headers: Record<string, string> = { "content-type": contentType };
    if (!opts.omitTimestamp) headers["x-slack-request-timestamp"] = timestamp;
    const signature =
      opts.signature === undefined
        ? computeSlackSignature(opts.secret ?? this.signingSecret, timestamp, body)
        : opts.signature;
    if (signature !== null) headers["x-slack-signature"] = signature;
    if (opts.retryNum !== undefined) headers["x-slack-retry-num"] = String(opts.retryNum);
    if (opts.retryReason !== undefined) headers["x-slack-retry-reason"] = opts.retryReason;
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
    return headers;
  }

  private async send(body: string, contentType: string, opts: SendOptions): Promise<SimResponse> {
    const headers = this.signedHeaders(body, contentType, opts);

    const { status, text, resHeaders } = this.agent
      ? await this.post(headers, body, this.agent)
      : await this.fetch(headers, body);
    let parsed: unknown = text;
    if ((resHeaders["content-type"] ?? "").includes("json") || /^\s*[[{]/.test(text)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status, body: parsed, headers: resHeaders, sent: {} };
  }

  private async fetch(headers: Record<string, string>, body: string) {
    const res = await fetch(`${this.appUrl}${this.path}`, { method: "POST", headers, body });
    const text = await res.text();
    const resHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      resHeaders[k] = v;
    });
    return { status: res.status, text, resHeaders };
  }

  private post(
    headers: Record<string, string>,
    body: string,
    agent: Agent,
  ): Promise<{ status: number; text: string; resHeaders: Record<string, string> }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.appUrl}${this.path}`,
        { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const resHeaders: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) resHeaders[k] = String(v);
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString("utf8"),
              resHeaders,
            });
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  private user(userId: string): Json {
    return { id: userId, username: this.userName(userId), name: this.userName(userId), team_id: this.teamId };
  }

  private userName(userId: string): string {
    return this.fake?.users.get(userId)?.name ?? userId.toLowerCase();
  }

  private newTriggerId(): string {
    return this.fake?.newTriggerId() ?? `${Date.now()}${nextSeq()}.1.${randomBytes(16).toString("hex")}`;
  }

  /** Without a fake, a URL nobody listens on (never slack.com). */
  private newResponseUrl(): string {
    return this.fake?.responseUrl() ?? `http://127.0.0.1:9/response/R${nextSeq()}`;
  }
}
