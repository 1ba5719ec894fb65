import { once } from "node:events";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { DateTime } from "luxon";
import { type ChainVerification, describeFinding } from "../domain/audit-verify.ts";
import { exportAuditLines } from "../services/audit/export.ts";
import { inSnapshot, verifyAuditTrail } from "../services/audit/verify.ts";
import { verifyAnchor } from "../services/audit/verify-anchor.ts";
import type { CliCommand, CliIo, CommandResult } from "./commands.ts";
import { withDatabase } from "./db.ts";

const VERIFY_USAGE = `usage: agov audit verify [--chain ID] [--anchor HASH]
  Walks every chain (or one), re-hashing each entry, and reports the first
  broken link of each chain. With --anchor, proves the trail up to a published
  daily anchor is unchanged. Exit 0 intact, 1 findings, 2 usage error.`;

const EXPORT_USAGE = `usage: agov audit export [--since ISO-8601] [--chain ID]
  Writes audit entries as JSON Lines to stdout (every field, occurred_at in
  ISO-8601 UTC), oldest first, streaming. Exit 0 done, 2 usage error.`;

type Parsed = { values: Record<string, string | boolean | undefined> } | { usage: string };

function parse(args: string[], options: Record<string, { type: "string" | "boolean" }>): Parsed {
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return { values: values as Record<string, string | boolean | undefined> };
  } catch (err) {
    return { usage: (err as Error).message };
  }
}

function usageError(io: CliIo, problem: string, usage: string): 2 {
  io.err(`agov: ${problem}\n${usage}`);
  return 2;
}

export const auditVerify: CliCommand = {
  summary: "verify the audit hash chains (--chain ID, --anchor HASH)",
  async run(args, io, env) {
    const parsed = parse(args, {
      chain: { type: "string" },
      anchor: { type: "string" },
      help: { type: "boolean" },
    });
    if ("usage" in parsed) return usageError(io, parsed.usage, VERIFY_USAGE);
    const { chain, anchor, help } = parsed.values as { chain?: string; anchor?: string; help?: boolean };
    if (help) {
      io.out(VERIFY_USAGE);
      return 0;
    }
    if (chain !== undefined && !chain) return usageError(io, "--chain needs a chain id", VERIFY_USAGE);
    if (anchor !== undefined && !/^[0-9a-f]{64}$/i.test(anchor)) {
      return usageError(io, "--anchor must be a 64-digit hex hash", VERIFY_USAGE);
    }
    const onChain = (r: ChainVerification) => {
      if (r.finding) io.out(`BROKEN ${describeFinding(r.finding)}`);
    };
    const settings = env();
    return withDatabase(settings, async ({ db }): Promise<CommandResult> => {
      const scope = chain !== undefined ? { chain } : {};
      if (anchor !== undefined) {
        const result = await verifyAnchor(db, anchor.toLowerCase(), { ...scope, onChain });
        if (!result.found) {
          io.out(`anchor ${anchor} not found in audit_anchors: the trail cannot be proven against it`);
          return 1;
        }
        if (result.anchorProblem) io.out(`BROKEN anchor ${result.anchorId}: ${result.anchorProblem}`);
        const at = result.anchoredAt.toISOString();
        if (result.anchorProblem || result.findings.length) {
          io.out(
            `audit trail DIFFERS from anchor ${result.anchorId} (${at}): ${result.findings.length} of ${result.chains} chains changed`,
          );
          return 1;
        }
        if (chain !== undefined && result.chains === 0) {
          io.out(`chain ${chain} is not in anchor ${result.anchorId} (${at})`);
          return 1;
        }
        io.out(
          `audit trail matches anchor ${result.anchorId} (${at}): ${counts(result.chains, result.entries)}`,
        );
        return 0;
      }
      // On Postgres, re-hash in the database on one connection per core (PGlite has a single session).
      const parallel = settings.DATABASE_URL ? { parallel: { connections: availableParallelism() } } : {};
      const summary = await verifyAuditTrail(db, { ...scope, ...parallel, onChain });
      if (chain !== undefined && summary.chains === 0) {
        io.out(`chain ${chain} not found (no entries, no head)`);
        return 1;
      }
      if (summary.findings.length) {
        io.out(
          `audit trail BROKEN: ${summary.findings.length} of ${counts(summary.chains, summary.entries)} checked`,
        );
        return 1;
      }
      io.out(`audit trail OK: ${counts(summary.chains, summary.entries)}`);
      return 0;
    });
  },
};

export const auditExport: CliCommand = {
  summary: "write audit entries as JSON Lines (--since ISO, --chain ID)",
  async run(args, io, env) {
    const parsed = parse(args, {
      since: { type: "string" },
      chain: { type: "string" },
      help: { type: "boolean" },
    });
    if ("usage" in parsed) return usageError(io, parsed.usage, EXPORT_USAGE);
    const { since, chain, help } = parsed.values as { since?: string; chain?: string; help?: boolean };
    if (help) {
      io.out(EXPORT_USAGE);
      return 0;
    }
    let sinceDate: Date | undefined;
    if (since !== undefined) {
      const parsedSince = DateTime.fromISO(since, { zone: "utc", setZone: true });
      if (!parsedSince.isValid) {
        return usageError(
          io,
          `--since must be an ISO-8601 date or date-time (e.g. 2025-01-31 or 2025-01-31T09:00:00Z), got "${since}"`,
          EXPORT_USAGE,
        );
      }
      sinceDate = parsedSince.toJSDate();
    }
    if (chain !== undefined && !chain) return usageError(io, "--chain needs a chain id", EXPORT_USAGE);
    await withDatabase(env(), ({ db }) =>
      // One snapshot: the export is a consistent cut even while the app appends.
      inSnapshot(db, async (tx) => {
        for await (const line of exportAuditLines(tx, { since: sinceDate, chain })) {
          await writeLine(io, `${line}\n`);
        }
      }),
    );
    return 0;
  },
};

const counts = (chains: number, entries: number) =>
  `${chains} chain${chains === 1 ? "" : "s"}, ${entries} entr${entries === 1 ? "y" : "ies"}`;

/** Honours back-pressure when io writes to a slow pipe, so memory stays flat. */
async function writeLine(io: CliIo, chunk: string): Promise<void> {
  if (io.write(chunk) === false && process.stdout.writableNeedDrain) await once(process.stdout, "drain");
}
