import { verificationAlertMessage } from "../../../blocks/audit/messages.ts";
import { describeFinding } from "../../domain/audit-verify.ts";
import type { Deps } from "../deps.ts";
import { enqueueOutbox } from "../effects.ts";
import { inTransaction } from "../run.ts";
import { type VerifySummary, verifyAuditTrail } from "./verify.ts";
import type { ParallelVerify } from "./verify-parallel.ts";

/** Findings recorded in the audit entry (the CLI gives the full list). */
const RECORDED = 50;

/**
 * The nightly job: verify every chain (on Postgres with the fast pass in the
 * database, as `agov audit verify` does, see verifyInParallel; on the
 * embedded database entry by entry). Success posts nothing. A broken chain
 * is a security alert to the committee channel (the CISO mentioned) and an
 * `audit_verification_failed` entry on the governance chain, written in one
 * transaction so the alert is never lost and never sent without its record.
 */
export async function runNightlyVerification(
  deps: Deps,
  opts: { parallel?: ParallelVerify } = {},
): Promise<VerifySummary> {
  const summary = await verifyAuditTrail(deps.db, opts);
  if (!summary.findings.length) {
    deps.logger.info({ chains: summary.chains, entries: summary.entries }, "audit trail verified");
    return summary;
  }
  deps.logger.error(
    { chains: summary.chains, broken: summary.findings.length },
    "audit trail verification FAILED",
  );
  await inTransaction(deps, async (tx, fx) => {
    await deps.audit.append(tx, {
      type: "audit_verification_failed",
      actor: { system: "audit-verify" },
      at: deps.now(),
      data: {
        chains: summary.chains,
        entries: summary.entries,
        broken_chains: summary.findings.length,
        findings: summary.findings.slice(0, RECORDED).map((f) => ({
          chain: f.chain,
          seq: f.seq,
          entry_id: f.entryId,
          kind: f.kind,
        })),
      },
    });
    await enqueueOutbox(tx, fx, {
      op: "post",
      channel: deps.config.channels.committee,
      message: verificationAlertMessage({
        chains: summary.chains,
        entries: summary.entries,
        brokenChains: summary.findings.length,
        lines: summary.findings.map(describeFinding),
        notify: deps.config.ciso,
      }),
    });
  });
  return summary;
}
