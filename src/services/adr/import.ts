import type { Adr, AdrIssue } from "../../domain/adr.ts";
import { ownerKind } from "../../domain/adr.ts";
import { adrToFormValues, type FormValues, overlongFields } from "../../domain/adr-form.ts";
import { parseAdrYaml } from "../../domain/adr-yaml.ts";
import { deriveRiskFactors } from "../../domain/risk.ts";
import type { Deps } from "../deps.ts";
import { saveAdrDraft } from "./drafts.ts";

export type ImportedAdr =
  | { ok: true; values: FormValues; derivedRisk: boolean }
  | { ok: false; issues: AdrIssue[] };

const OWNER_FIELDS = ["business_owner", "technical_owner", "data_steward"] as const;

/**
 * A pasted ADR YAML, checked (hostile documents refused by parseAdrYaml),
 * its e-mail owners resolved to Slack users, and turned into the person's
 * draft of the request form for review. Nothing is stored unless the whole
 * file is good. Without a risk_assessment block the six factors are derived
 * (conservatively) and prefilled, for the person to confirm.
 */
export async function importAdrYaml(
  deps: Deps,
  actor: { userId: string },
  text: string,
): Promise<ImportedAdr> {
  const parsed = parseAdrYaml(text);
  if (!parsed.ok) return parsed;
  const resolved = await resolveOwners(deps, parsed.adr);
  if (!resolved.ok) return resolved;
  const adr = resolved.adr;
  const derivedRisk = adr.risk_assessment === undefined;
  const withRisk: Adr = derivedRisk ? { ...adr, risk_assessment: riskOf(adr) } : adr;
  const values = adrToFormValues(withRisk);
  const overlong = Object.entries(overlongFields(values)).map(([path, message]) => ({ path, message }));
  if (overlong.length > 0) return { ok: false, issues: overlong };
  await saveAdrDraft(deps, actor.userId, { step: 1, values, source: "import", derivedRisk });
  return { ok: true, values, derivedRisk };
}

function riskOf(adr: Adr): NonNullable<Adr["risk_assessment"]> {
  const { user_population: _population, ...factors } = deriveRiskFactors(adr).factors;
  return factors;
}

async function resolveOwners(
  deps: Deps,
  adr: Adr,
): Promise<{ ok: true; adr: Adr } | { ok: false; issues: AdrIssue[] }> {
  const meta = { ...adr.agent_metadata };
  const issues: AdrIssue[] = [];
  const lookups = new Map<string, Promise<Lookup>>();
  const lookup = (email: string) => {
    let found = lookups.get(email.toLowerCase());
    if (!found) {
      found = userByEmail(deps, email);
      lookups.set(email.toLowerCase(), found);
    }
    return found;
  };
  await Promise.all(
    OWNER_FIELDS.map(async (key) => {
      const value = meta[key];
      if (value === undefined || ownerKind(value) !== "email") return;
      const result = await lookup(value);
      if ("id" in result) meta[key] = result.id;
      else issues.push({ path: `agent_metadata.${key}`, message: result.problem });
    }),
  );
  if (issues.length > 0) {
    issues.sort((a, b) => OWNER_FIELDS.indexOf(field(a)) - OWNER_FIELDS.indexOf(field(b)));
    return { ok: false, issues };
  }
  return { ok: true, adr: { ...adr, agent_metadata: meta } };
}

const field = (issue: AdrIssue) => issue.path.split(".")[1] as (typeof OWNER_FIELDS)[number];

type Lookup = { id: string } | { problem: string };

/** The Slack user id of an e-mail address, or why there is none. */
async function userByEmail(deps: Deps, email: string): Promise<Lookup> {
  try {
    const res = await deps.slack.users.lookupByEmail({ email });
    const id = res.user?.id;
    if (id && !res.user?.deleted && ownerKind(id) === "slack_user") return { id };
    return { problem: "is not an active Slack user in this workspace" };
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code === "users_not_found")
      return { problem: "no Slack user in this workspace has that e-mail address" };
    deps.logger.warn({ err: (err as Error).message }, "users.lookupByEmail failed during an ADR import");
    return { problem: "could not be looked up in Slack just now; try again" };
  }
}
