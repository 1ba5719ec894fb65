import type { App } from "@slack/bolt";
import { homeView } from "../../../../blocks/approval/home.ts";
import { loadHome } from "../../../services/approval/home.ts";
import type { Deps } from "../../../services/deps.ts";

/** App Home: my pending votes, my agents and their next reviews, my open conditions. */
export function registerAppHome(app: App, deps: Deps): void {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    const model = await loadHome(deps, event.user);
    await deps.slack.views.publish({ user_id: event.user, view: homeView(model) });
  });
}
