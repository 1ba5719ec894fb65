import { fork } from "node:child_process";
import { join } from "node:path";
import { ROOT, TSX_LOADER } from "../test/support/process.ts";

/** A message the fake Slack received: its text and when (epoch ms, the fake's clock). */
export type Received = [text: string, at: number];

export interface RemoteFakeSlack {
  /** The Web API URL to give the app. */
  url: string;
  /** The chat.postMessage calls answered ok whose text starts with `prefix`. */
  posted(prefix: string): Promise<Received[]>;
  /** How many there are (a cheap question to poll). */
  count(prefix: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The fake Slack Web API in a process of its own, as Slack is in production:
 * its work (parsing, recording, answering) does not run on the app's event
 * loop, so a benchmark of the app measures the app. The machine's cores are
 * still shared.
 */
export async function startRemoteFakeSlack(): Promise<RemoteFakeSlack> {
  const child = fork(join(ROOT, "bench/fake-slack-child.ts"), [], {
    execArgv: ["--import", TSX_LOADER],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`the fake Slack process exited (${code})`)));
  });
  // One question at a time: answers come back in order.
  let queue = Promise.resolve<unknown>(undefined);
  const ask = <T>(question: object): Promise<T> => {
    const asked = queue.then(
      () =>
        new Promise<T>((resolve) => {
          child.once("message", (m) => resolve(m as T));
          child.send(question);
        }),
    );
    queue = asked.catch(() => undefined);
    return asked;
  };
  return {
    url,
    posted: async (prefix) => (await ask<{ posted: Received[] }>({ prefix })).posted,
    count: async (prefix) => (await ask<{ count: number }>({ prefix, countOnly: true })).count,
    async close() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill();
      await exited;
    },
  };
}
