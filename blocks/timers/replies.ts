import { slackDay } from "./format.ts";

/** Ephemeral answers to the technical owner's "Mark deployed" click. */
export function markedDeployedReply(r: { reviewDueAt: Date | null }): { text: string } {
  const review = r.reviewDueAt
    ? ` The post-deployment review now counts from today: due ${slackDay(r.reviewDueAt)}.`
    : "";
  return { text: `:white_check_mark: Marked deployed.${review}` };
}

export function refusalReply(message: string): { text: string } {
  return { text: `:warning: ${message}` };
}
