import { createConnection, createServer, type Server } from "node:net";

/**
 * A TCP relay to Postgres that counts what the client sends: with small
 * messages each write the client makes arrives as one chunk, so it counts
 * round trips.
 */
export async function countingRelay(
  target: URL,
): Promise<{ url: string; chunks: () => number; close: () => void }> {
  let chunks = 0;
  const server: Server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    client.on("data", (d) => {
      chunks++;
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
  return { url: url.toString(), chunks: () => chunks, close: () => server.close() };
}
