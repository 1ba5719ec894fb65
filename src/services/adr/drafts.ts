import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "../../db/client.ts";
import { drafts } from "../../db/schema/index.ts";
import type { AdrStep, FormValues } from "../../domain/adr-form.ts";
import type { Deps } from "../deps.ts";

/**
 * A person's unfinished ADR form. Saved at each step and when the modal is
 * closed by accident, so reopening /agent-request can continue it; removed
 * by the submission that completes it. One draft per person.
 */
export const ADR_DRAFT_KIND = "adr_request";

export interface AdrDraft {
  step: AdrStep;
  values: FormValues;
  /** "import": prefilled from a YAML file, so the person is asked to review it. */
  source: "form" | "import";
  /** The six risk factors were derived from the imported file (it had no risk_assessment). */
  derivedRisk: boolean;
  updatedAt: Date;
}

const draftContent = z.object({
  step: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  values: z.record(z.string(), z.string().nullable()),
  source: z.enum(["form", "import"]).default("form"),
  derivedRisk: z.boolean().default(false),
});

/**
 * The draft lookup runs on every /agent-request, inside the trigger's 3 s:
 * prepared once per database, so each call only binds the user id.
 */
const draftLookups = new WeakMap<Db, ReturnType<typeof prepareDraftLookup>>();

function prepareDraftLookup(db: Db) {
  return db
    .select({ content: drafts.content, updatedAt: drafts.updatedAt })
    .from(drafts)
    .where(and(eq(drafts.userId, sql.placeholder("userId")), eq(drafts.kind, ADR_DRAFT_KIND)))
    .prepare("adr_draft_of_user");
}

export async function loadAdrDraft(deps: Pick<Deps, "db">, userId: string): Promise<AdrDraft | undefined> {
  let lookup = draftLookups.get(deps.db);
  if (!lookup) {
    lookup = prepareDraftLookup(deps.db);
    draftLookups.set(deps.db, lookup);
  }
  const [row] = await lookup.execute({ userId });
  if (!row) return undefined;
  const parsed = draftContent.safeParse(row.content);
  return parsed.success ? { ...parsed.data, updatedAt: row.updatedAt } : undefined;
}

export async function saveAdrDraft(
  deps: Pick<Deps, "db" | "now">,
  userId: string,
  draft: Omit<AdrDraft, "updatedAt">,
): Promise<void> {
  const content = {
    step: draft.step,
    values: draft.values,
    source: draft.source,
    derivedRisk: draft.derivedRisk,
  };
  const updatedAt = deps.now();
  await deps.db
    .insert(drafts)
    .values({ userId, kind: ADR_DRAFT_KIND, content, updatedAt })
    .onConflictDoUpdate({ target: [drafts.userId, drafts.kind], set: { content, updatedAt } });
}

export async function deleteAdrDraft(db: DbOrTx, userId: string): Promise<void> {
  await db.delete(drafts).where(and(eq(drafts.userId, userId), eq(drafts.kind, ADR_DRAFT_KIND)));
}

/**
 * Keeps what the person typed on a step (closing the modal, going back):
 * merged over the saved draft, which then resumes at `resumeAt`. A form
 * closed before anything was typed leaves no draft behind.
 */
export async function keepAdrAnswers(
  deps: Pick<Deps, "db" | "now">,
  userId: string,
  stepValues: FormValues,
  resumeAt: AdrStep,
): Promise<AdrDraft | undefined> {
  const draft = await loadAdrDraft(deps, userId);
  const values = { ...draft?.values, ...stepValues };
  if (!draft && Object.values(values).every((v) => v === null)) return undefined;
  const kept = {
    step: resumeAt,
    values,
    source: draft?.source ?? ("form" as const),
    derivedRisk: draft?.derivedRisk ?? false,
  };
  await saveAdrDraft(deps, userId, kept);
  return { ...kept, updatedAt: deps.now() };
}
