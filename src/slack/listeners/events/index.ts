import type { App } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { registerAppHome } from "./app-home.ts";

export function registerEvents(app: App, deps: Deps): void {
  // Feature listeners register here, one file each.
  registerAppHome(app, deps);
}
