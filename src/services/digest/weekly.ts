import type { Deps } from "../deps.ts";

export async function postWeeklyDigest(_deps: Deps): Promise<void> {
  throw new Error("weekly digest: being built");
}
