import { startFakeSlack } from "../test/fakes/slack-api.ts";
import { defaultUsers } from "../test/support/app.ts";

// The fake Slack for bench/fake-slack-process.ts: tells its URL, then answers queries for posts.
const fake = await startFakeSlack({ users: defaultUsers() });
process.send!({ url: fake.url });
process.on("message", (m: { prefix: string; countOnly?: boolean }) => {
  const posted = fake.calls.filter(
    (c) => c.method === "chat.postMessage" && c.ok && String(c.args.text).startsWith(m.prefix),
  );
  if (m.countOnly) process.send!({ count: posted.length });
  else process.send!({ posted: posted.map((c) => [String(c.args.text), c.at]) });
});
process.on("SIGTERM", () => {
  void fake.close().finally(() => process.exit(0));
});
