/**
 * The one error type services throw. Each transport maps the code: Slack to
 * an ephemeral message or modal field errors, HTTP to a status, CLI to an
 * exit code.
 */
export type ErrorCode = "not_found" | "forbidden" | "conflict" | "validation" | "unavailable";

export class GovernorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Field errors keyed by block_id / dotted path, for modals and imports. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = "GovernorError";
  }
}

export function isGovernorError(err: unknown): err is GovernorError {
  return err instanceof GovernorError;
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  validation: 422,
  unavailable: 503,
};
