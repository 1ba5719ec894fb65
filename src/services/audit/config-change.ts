import { createHash } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import type { GovernorConfig } from "../../config/governor.ts";
import { auditEntries } from "../../db/schema/index.ts";
import { GOVERNANCE_CHAIN } from "../../domain/audit.ts";
import { canonicalJson } from "../../domain/canonical-json.ts";
import type { Deps } from "../deps.ts";
import { inTransaction } from "../run.ts";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** Per-section hashes of governor.yaml: enough to say what changed without storing user ids in the trail. */
export function configFingerprint(config: GovernorConfig): {
  config_hash: string;
  sections: Record<string, string>;
} {
  const sections: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) sections[key] = sha256(canonicalJson(value ?? null));
  return { config_hash: sha256(canonicalJson(sections)), sections };
}

/**
 * At start-up: if governor.yaml differs from the one the trail last recorded,
 * append `config_changed` (governance chain) naming the sections that changed.
 * Two instances starting at once may both record the same change; both entries
 * are true statements about a start-up.
 */
export async function recordConfigChange(deps: Deps): Promise<{ changed: boolean; sections: string[] }> {
  const current = configFingerprint(deps.config);
  return inTransaction(deps, async (tx) => {
    const [last] = await tx
      .select({ data: auditEntries.data })
      .from(auditEntries)
      .where(and(eq(auditEntries.chain, GOVERNANCE_CHAIN), eq(auditEntries.eventType, "config_changed")))
      .orderBy(desc(auditEntries.seq))
      .limit(1);
    const previous = last?.data as { config_hash?: string; sections?: Record<string, string> } | undefined;
    if (previous?.config_hash === current.config_hash) return { changed: false, sections: [] };
    const keys = new Set([...Object.keys(current.sections), ...Object.keys(previous?.sections ?? {})]);
    const changedSections = [...keys].filter((k) => current.sections[k] !== previous?.sections?.[k]).sort();
    await deps.audit.append(tx, {
      type: "config_changed",
      actor: { system: "start-up" },
      data: { ...current, changed_sections: changedSections, first_recorded: !previous },
      at: deps.now(),
    });
    return { changed: true, sections: changedSections };
  });
}
