import { createConnection, createServer, type Server } from "node:net";

/**
 * A TCP relay to Postgres that counts what the client sends: with small
 * messages each write the client makes arrives as one chunk, so it counts
 * round trips. `sent` is everything the client sent so far (as latin1 text,
 * so statement texts can be looked for in it).
 */
export async function countingRelay(
  target: URL,
): Promise<{ url: string; chunks: () => number; sent: () => string; close: () => void }> {
  let chunks = 0;
  let sent = "";
  const server: Server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    client.on("data", (d) => {
      chunks++;
      sent += d.toString("latin1");
      upstream.write(d);
    });
    upstream.pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = new URL(target.href);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as { port: number }).port);
  return { url: url.toString(), chunks: () => chunks, sent: () => sent, close: () => server.close() };
}
