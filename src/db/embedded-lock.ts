import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { GovernorError } from "../domain/errors.ts";

export interface EmbeddedLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A pid file beside the embedded database. PGlite corrupts its files if two
 * processes open them, so the second one is told plainly who holds it.
 */
export function acquireEmbeddedLock(dataDir: string): EmbeddedLock {
  const path = join(dataDir, "agov.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number.parseInt(readFileSync(path, "utf8"), 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        throw new GovernorError(
          "conflict",
          `the embedded database in ${dataDir} is held by another process (pid ${holder}, probably the app): ` +
            "stop it, or set DATABASE_URL to use PostgreSQL",
        );
      }
      unlinkSync(path); // stale lock from a process that died
    }
  }
  throw new GovernorError("conflict", `could not lock the embedded database in ${dataDir}`);
}
