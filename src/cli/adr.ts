import { readFile, stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { type AdrValidation, formatAdrIssue } from "../domain/adr.ts";
import { MAX_ADR_YAML_BYTES, parseAdrYaml } from "../domain/adr-yaml.ts";
import { assessAdr } from "../domain/risk.ts";
import type { CliCommand, CliIo, CommandResult } from "./commands.ts";

const VALIDATE_USAGE = `usage: agov validate FILE
  Checks an ADR written in YAML against the ADR schema. Prints "valid", or
  every problem with its dotted path. Exit 0 valid, 1 problems, 2 usage error.
  (Owners given as e-mail addresses are resolved to Slack users only at import.)`;

const CLASSIFY_USAGE = `usage: agov classify FILE [--json]
  The ADR's risk tier (1–4), score and the reasons for it: the six factors as
  stated in its risk_assessment, or derived conservatively from its tools and
  data. Exit 0 classified, 1 the ADR has problems, 2 usage error.`;

type FileArgs = { file: string; json: boolean } | { usage: string };

function fileArgs(args: string[], allowJson: boolean): FileArgs {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: allowJson ? { json: { type: "boolean" } } : {},
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) return { usage: positionals.length ? "one FILE only" : "FILE is missing" };
    return { file: positionals[0]!, json: (values as { json?: boolean }).json === true };
  } catch (err) {
    return { usage: (err as Error).message };
  }
}

/** Reads and checks the file; a file that cannot be read is a usage error (exit 2). */
async function readAdr(io: CliIo, command: string, file: string): Promise<AdrValidation | 2> {
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      io.err(`agov ${command}: ${file} is not a file`);
      return 2;
    }
    // Refused before reading: parseAdrYaml would refuse it anyway, without the memory.
    if (info.size > MAX_ADR_YAML_BYTES * 4) {
      return {
        ok: false,
        issues: [
          {
            path: "",
            message: `the file is ${info.size} bytes; an ADR may be at most ${MAX_ADR_YAML_BYTES}`,
          },
        ],
      };
    }
    return parseAdrYaml(await readFile(file, "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (err as Error).message;
    io.err(`agov ${command}: cannot read ${file}: ${why}`);
    return 2;
  }
}

function printProblems(io: CliIo, file: string, result: Extract<AdrValidation, { ok: false }>): 1 {
  io.out(`${file}: ${result.issues.length === 1 ? "1 problem" : `${result.issues.length} problems`}`);
  for (const issue of result.issues) io.out(`  ${formatAdrIssue(issue)}`);
  return 1;
}

export const adrValidate: CliCommand = {
  summary: "check an ADR YAML file; lists every problem with its path",
  async run(args, io): Promise<CommandResult> {
    const parsed = fileArgs(args, false);
    if ("usage" in parsed) {
      io.err(`agov validate: ${parsed.usage}\n${VALIDATE_USAGE}`);
      return 2;
    }
    const result = await readAdr(io, "validate", parsed.file);
    if (result === 2) return 2;
    if (!result.ok) return printProblems(io, parsed.file, result);
    io.out(`${parsed.file}: valid`);
    return 0;
  },
};

export const adrClassify: CliCommand = {
  summary: "risk tier, score and reasons of an ADR YAML file (--json)",
  async run(args, io): Promise<CommandResult> {
    const parsed = fileArgs(args, true);
    if ("usage" in parsed) {
      io.err(`agov classify: ${parsed.usage}\n${CLASSIFY_USAGE}`);
      return 2;
    }
    const result = await readAdr(io, "classify", parsed.file);
    if (result === 2) return 2;
    if (!result.ok) return printProblems(io, parsed.file, result);
    const risk = assessAdr(result.adr);
    if (parsed.json) {
      const { tier, score, reasons, factors, source, derived } = risk;
      io.out(
        JSON.stringify(
          { file: parsed.file, tier, score, reasons, factors, source, derivation: derived },
          null,
          2,
        ),
      );
      return 0;
    }
    io.out(`tier ${risk.tier} (score ${risk.score})`);
    io.out(
      risk.source === "stated"
        ? "factors: as stated in the ADR's risk_assessment"
        : "factors: derived from the tools and data (no risk_assessment; unknown means the riskier value)",
    );
    for (const d of risk.derived) io.out(`  ${d.factor} = ${String(d.value)}: ${d.because}`);
    io.out("reasons:");
    for (const r of risk.reasons) io.out(`  ${r.text}`);
    if (risk.reasons.length === 0) io.out("  no risk factor applies");
    return 0;
  },
};
