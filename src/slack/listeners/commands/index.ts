import type { App } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { registerAgentIncident } from "./agent-incident.ts";
import { registerAgentInventory } from "./agent-inventory.ts";
import { registerAgentRequest } from "./agent-request.ts";

export function registerCommands(app: App, deps: Deps): void {
  registerAgentRequest(app, deps);
  registerAgentIncident(app, deps);
  registerAgentInventory(app, deps);
}
