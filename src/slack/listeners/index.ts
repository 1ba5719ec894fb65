import type { App } from "@slack/bolt";
import type { Deps } from "../../services/deps.ts";
import { registerActions } from "./actions/index.ts";
import { registerCommands } from "./commands/index.ts";
import { registerEvents } from "./events/index.ts";
import { registerViews } from "./views/index.ts";

/** Listeners are grouped by surface; each folder registers its own. */
export function registerListeners(app: App, deps: Deps): void {
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
}
