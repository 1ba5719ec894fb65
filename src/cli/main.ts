import { existsSync } from "node:fs";
import { parseEnv } from "../config/env.ts";
import { isGovernorError } from "../domain/errors.ts";
import { COMMANDS, type CliIo, type CommandResult, USAGE } from "./commands.ts";

/**
 * agov: the auditor's and pipeline's command line. Exit 0 on success,
 * 1 on findings, 2 on usage errors. Reads the same settings as the app.
 */
async function run(argv: string[], io: CliIo): Promise<CommandResult> {
  const [first, second] = argv;
  if (!first) {
    io.err(USAGE);
    return 2;
  }
  if (first === "help" || first === "--help" || first === "-h") {
    io.out(USAGE);
    return 0;
  }
  const twoWord = second ? COMMANDS[`${first} ${second}`] : undefined;
  const command = twoWord ?? COMMANDS[first];
  if (!command) {
    io.err(`agov: unknown command "${argv.join(" ")}"\n\n${USAGE}`);
    return 2;
  }
  const rest = argv.slice(twoWord ? 2 : 1);
  return command.run(rest, io, () => {
    const env = parseEnv(process.env);
    if (!env.ok) throw new Error(env.problems.join("\n"));
    return env.value;
  });
}

// The same settings as the app: a .env file here is read if present; real environment variables win.
if (existsSync(".env")) process.loadEnvFile(".env");

const io: CliIo = {
  out: (s) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`),
  err: (s) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`),
  write: (s) => process.stdout.write(s),
};

try {
  process.exitCode = await run(process.argv.slice(2), io);
} catch (err) {
  io.err(`agov: ${isGovernorError(err) ? err.message : (err as Error).message}`);
  process.exitCode = isGovernorError(err) && err.code === "validation" ? 2 : 1;
}
