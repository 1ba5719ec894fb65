import type { Deps } from "../deps.ts";

export async function runNightlyVerification(_deps: Deps): Promise<void> {
  throw new Error("nightly verification: being built");
}
