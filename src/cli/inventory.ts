import { parseArgs } from "node:util";
import { exportInventory } from "../services/adr/inventory.ts";
import type { CliCommand, CommandResult } from "./commands.ts";
import { withDatabase } from "./db.ts";

const USAGE = `usage: agov inventory [--json]
  The agent inventory: every governance record (the framework's
  AgentGovernanceRecord fields). --json adds every ADR version of each agent.`;

const cell = (v: string | null | undefined, width: number): string => {
  const s = (v ?? "-").replace(/[\u0000-\u001F\u007F-\u009F]/g, " ");
  return s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width);
};

export const inventory: CliCommand = {
  summary: "the agent inventory (--json: with every ADR version)",
  async run(args, io, env): Promise<CommandResult> {
    let json = false;
    try {
      const { values } = parseArgs({ args, options: { json: { type: "boolean" } }, strict: true });
      json = values.json === true;
    } catch (err) {
      io.err(`agov inventory: ${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    const records = await withDatabase(env(), ({ db }) => exportInventory(db));
    if (json) {
      io.out(JSON.stringify(records, null, 2));
      return 0;
    }
    if (records.length === 0) {
      io.out("the inventory is empty");
      return 0;
    }
    io.out(
      `${cell("NAME", 32)} ${cell("TIER", 4)} ${cell("STATUS", 14)} ${cell("APPROVAL", 11)} ${cell("OWNER", 12)} ${cell("NEXT REVIEW", 11)} VERSIONS`,
    );
    for (const r of records) {
      io.out(
        `${cell(r.agent_name, 32)} ${cell(r.risk_tier, 4)} ${cell(r.status, 14)} ${cell(r.approval_status, 11)} ${cell(r.business_owner, 12)} ${cell(r.next_review_date?.slice(0, 10), 11)} ${r.versions.length}`,
      );
    }
    return 0;
  },
};
