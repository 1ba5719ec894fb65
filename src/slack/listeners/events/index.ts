import type { App } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";

export function registerEvents(_app: App, _deps: Deps): void {
  // Feature listeners register here, one file each.
}
