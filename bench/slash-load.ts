import type { FakeSlack } from "../test/fakes/slack-api.ts";
import type { SlackClientSim } from "../test/support/slack-requests.ts";
import { RawHttpConnection } from "./raw-http.ts";
import { load } from "./stats.ts";

export interface SlashRig {
  slack: SlackClientSim;
  fake: FakeSlack;
  appUrl: string;
}

/**
 * `total` slash commands from `concurrency` clients, each on its own
 * kept-alive connection, as Slack sends them. Bodies are built and signed
 * before the clock starts and sent with a minimal HTTP client: the load
 * generator shares the machine's two cores with the app, and every
 * microsecond it spends is one the app waits for. Returns each command's
 * latency (sent → answered) and when each trigger_id was sent.
 */
export async function slashCommands(
  rig: SlashRig,
  opts: { command: string; text: string; total: number; concurrency: number; user: (i: number) => string },
): Promise<{ latencies: number[]; wallMs: number; sentAt: Map<string, number> }> {
  const host = new URL(rig.appUrl).host;
  const prepared = Array.from({ length: opts.total }, (_, i) => {
    const signed = rig.slack.signedSlashCommand(opts.command, opts.text, {
      userId: opts.user(i),
      triggerId: rig.fake.newTriggerId(),
    });
    return {
      request: RawHttpConnection.request("/slack/events", host, signed.headers, signed.body),
      triggerId: signed.triggerId,
    };
  });
  const idle = Array.from({ length: opts.concurrency }, () => RawHttpConnection.forUrl(rig.appUrl));
  const all = [...idle];
  const sentAt = new Map<string, number>();
  try {
    const result = await load(opts.total, opts.concurrency, async (i) => {
      const conn = idle.pop()!;
      const { request, triggerId } = prepared[i]!;
      sentAt.set(triggerId, Date.now());
      const res = await conn.send(request);
      idle.push(conn);
      if (res.status !== 200) throw new Error(`status ${res.status}: ${res.body}`);
    });
    return { ...result, sentAt };
  } finally {
    for (const conn of all) conn.close();
  }
}
