import type { Deps } from "../deps.ts";

export async function anchorAuditChains(_deps: Deps): Promise<void> {
  throw new Error("audit anchoring: being built");
}
