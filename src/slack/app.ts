import { randomBytes } from "node:crypto";
import { type App, LogLevel, type Receiver, SocketModeReceiver } from "@slack/bolt";
import type { ExtendedErrorHandlerArgs } from "@slack/bolt/dist/App.js";
import type { Logger } from "pino";
import { isGovernorError } from "../domain/errors.ts";
import type { Deps } from "../services/deps.ts";
import { registerListeners } from "./listeners/index.ts";
import { RoutedApp } from "./routed-app.ts";

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  appToken?: string | undefined;
  apiUrl?: string | undefined;
  /** HTTP mode: our GovernorReceiver; Socket Mode when appToken is set. */
  receiver?: Receiver;
  deps: Deps;
  logger: Logger;
}

export function createSlackApp(opts: SlackAppOptions): App {
  const receiver =
    opts.receiver ??
    new SocketModeReceiver({
      appToken: opts.appToken!,
      ...(opts.apiUrl ? { clientOptions: { slackApiUrl: opts.apiUrl } } : {}),
      logLevel: LogLevel.WARN,
    });
  const app = new RoutedApp({
    token: opts.botToken,
    receiver,
    clientOptions: {
      ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
      retryConfig: { retries: 2, factor: 2, minTimeout: 100, maxTimeout: 1000 },
    },
    logLevel: LogLevel.WARN,
    // Bolt's default in-memory conversation store is unused here, wrong with
    // several instances, and costs every request a thrown "not found" Error.
    convoStore: false,
    extendedErrorHandler: true,
    deferInitialization: false,
  });
  registerListeners(app, opts.deps);

  // Any failure becomes a polite ephemeral message and a logged error, never silence.
  app.error((async ({ error, body, context }: ExtendedErrorHandlerArgs) => {
    const ref = randomBytes(3).toString("hex");
    const original = (error as { original?: unknown }).original ?? error;
    const known = isGovernorError(original);
    if (!known)
      opts.logger.error({ ref, err: String((original as Error)?.stack ?? original) }, "Slack handler failed");
    const b = (body ?? {}) as Record<string, unknown>;
    const user = (b.user_id as string) ?? ((b.user as { id?: string })?.id as string | undefined);
    const channel = (b.channel_id as string) ?? ((b.channel as { id?: string })?.id as string | undefined);
    const text = known
      ? `:warning: ${(original as Error).message}`
      : `:warning: Sorry, something went wrong on our side and your last action may not have gone through. Please try again; if it keeps failing, give your admin this reference: \`${ref}\`.`;
    if (!user) return;
    try {
      const token = (context?.botToken as string | undefined) ?? opts.botToken;
      if (channel) await app.client.chat.postEphemeral({ token, channel, user, text });
      else {
        const dm = await app.client.conversations.open({ token, users: user });
        await app.client.chat.postMessage({ token, channel: dm.channel!.id!, text });
      }
    } catch (notifyErr) {
      opts.logger.error(
        { ref, err: (notifyErr as Error).message },
        "could not tell the user about a failure",
      );
    }
  }) as never);
  return app;
}
