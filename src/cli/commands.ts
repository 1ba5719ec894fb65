import type { Env } from "../config/env.ts";
import { adrClassify, adrValidate } from "./adr.ts";
import { auditExport, auditVerify } from "./audit.ts";
import { dbMigrate } from "./db.ts";
import { inventory } from "./inventory.ts";
import { pirExport } from "./pir.ts";
import { tokenIssue, tokenRevoke } from "./token.ts";

export type CommandResult = 0 | 1 | 2;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Raw stream write (JSON Lines export). */
  write(chunk: string): boolean | undefined;
}

export interface CliCommand {
  summary: string;
  run(args: string[], io: CliIo, env: () => Env): Promise<CommandResult>;
}

/** Every agov command, by its words. Each feature adds its own file and one line here. */
export const COMMANDS: Record<string, CliCommand> = {
  "db migrate": dbMigrate,
  validate: adrValidate,
  classify: adrClassify,
  inventory,
  "audit verify": auditVerify,
  "audit export": auditExport,
  "pir export": pirExport,
  "token issue": tokenIssue,
  "token revoke": tokenRevoke,
};

export const USAGE = `usage: agov <command>

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(28)}${c.summary}`)
  .join("\n")}

exit codes: 0 success, 1 findings, 2 usage error
settings: the same environment as the app (DATABASE_URL, GOVERNOR_CONFIG, AUDIT_HMAC_KEY, …)`;
