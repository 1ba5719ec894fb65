import { eq } from "drizzle-orm";
import { DEV_AUDIT_HMAC_KEY } from "../config/env.ts";
import type { Db } from "../db/client.ts";
import { agents } from "../db/schema/index.ts";
import { type AuditWriter, createAuditWriter } from "../services/audit/append.ts";
import { issueAgentToken, revokeAgentTokens } from "../services/runtime/tokens.ts";
import type { CliCommand, CliIo, CommandResult } from "./commands.ts";
import { withDatabase } from "./db.ts";

const ISSUE_USAGE = `usage: agov token issue AGENT_NAME
  Issues a runtime API token for the agent and prints it ONCE on stdout (only
  its sha256 is stored). Exit 0 issued, 1 unknown agent, 2 usage error.`;

const REVOKE_USAGE = `usage: agov token revoke AGENT_NAME
  Revokes every active runtime API token of the agent.
  Exit 0 revoked, 1 unknown agent or no active token, 2 usage error.`;

/** One positional agent name (quote names with spaces), or the exit code of help / a usage error. */
function agentNameArg(args: string[], io: CliIo, usage: string): { name: string } | { exit: CommandResult } {
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    io.out(usage);
    return { exit: 0 };
  }
  const name = args.length === 1 ? args[0]!.trim() : "";
  if (!name || name.startsWith("-")) {
    io.err(
      `agov: ${args.length === 1 ? `bad agent name "${args[0]}"` : "one AGENT_NAME is required"}\n${usage}`,
    );
    return { exit: 2 };
  }
  return { name };
}

async function findAgent(db: Db, name: string): Promise<{ id: number; name: string } | null> {
  const [row] = await db
    .select({ id: agents.id, name: agents.name })
    .from(agents)
    .where(eq(agents.nameKey, name.toLowerCase()));
  return row ?? null;
}

/** Parses the agent name, opens the database and finds the agent; `act` does the rest. */
function withNamedAgent(
  usage: string,
  act: (db: Db, audit: AuditWriter, agent: { id: number; name: string }, io: CliIo) => Promise<CommandResult>,
): CliCommand["run"] {
  return async (args, io, env) => {
    const arg = agentNameArg(args, io, usage);
    if ("exit" in arg) return arg.exit;
    const settings = env();
    const audit = createAuditWriter(settings.AUDIT_HMAC_KEY ?? DEV_AUDIT_HMAC_KEY);
    return withDatabase(settings, async ({ db }): Promise<CommandResult> => {
      const agent = await findAgent(db, arg.name);
      if (!agent) {
        io.err(`agov: no agent named "${arg.name}" in the inventory`);
        return 1;
      }
      return act(db, audit, agent, io);
    });
  };
}

export const tokenIssue: CliCommand = {
  summary: "issue a runtime API token for an agent (shown once)",
  run: withNamedAgent(ISSUE_USAGE, async (db, audit, agent, io) => {
    const issued = await issueAgentToken(db, audit, agent.id, "cli");
    // stdout carries the token alone, so it can be piped into a secret store.
    io.out(issued.token);
    io.err(
      `token ${issued.tokenId} issued for agent "${agent.name}" (id ${agent.id}). ` +
        "It is shown only this once: store it in the runtime's secret store now.",
    );
    return 0;
  }),
};

export const tokenRevoke: CliCommand = {
  summary: "revoke every active runtime API token of an agent",
  run: withNamedAgent(REVOKE_USAGE, async (db, audit, agent, io) => {
    const revoked = await revokeAgentTokens(db, audit, agent.id, "cli");
    if (!revoked.length) {
      io.err(`agov: agent "${agent.name}" has no active token`);
      return 1;
    }
    io.out(
      `revoked ${revoked.length} token${revoked.length === 1 ? "" : "s"} of agent "${agent.name}" (ids ${revoked.join(", ")})`,
    );
    return 0;
  }),
};
