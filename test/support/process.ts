import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
/**
 * tsx's loader, given to node with --import: the entry point then runs in the
 * spawned process itself. (The tsx command runs it in a second process and
 * relays signals; if the app has not told it within 30 ms that a SIGTERM
 * arrived, which a loaded machine can exceed, it SIGKILLs the app and exits
 * 143, cutting the graceful shutdown short.)
 */
export const TSX_LOADER = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry point (src/main.ts, src/cli/main.ts) as its own process, as a user would. */
export function spawnTs(entry: string, args: string[], env: Record<string, string>, cwd = ROOT): Spawned {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, join(ROOT, entry), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function runTs(
  entry: string,
  args: string[],
  env: Record<string, string>,
  cwd = ROOT,
): Promise<{ code: number | null; output: string }> {
  const p = spawnTs(entry, args, env, cwd);
  const code = await p.exited;
  return { code, output: p.output() };
}

export async function waitForHealthy(url: string, timeoutMs = 60_000): Promise<Response> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return res;
      last = res.status;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`app did not become healthy at ${url}: ${String(last)}`);
}

/** A TCP port nobody listens on right now, for an app process of a test's own. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
