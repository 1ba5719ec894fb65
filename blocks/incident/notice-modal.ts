import type { View } from "@slack/types";
import { plain } from "./format.ts";

/** Opened at once on a click (the trigger expires in 3 s), then replaced by the real form. */
export function loadingModal(title: string): View {
  return {
    type: "modal",
    title: plain(title, 24),
    close: plain("Cancel", 24),
    blocks: [{ type: "section", text: { type: "mrkdwn", text: ":hourglass_flowing_sand: Loading…" } }],
  };
}

/** Why the form cannot be shown (already resolved, review completed, agent unknown…); `text` is trusted mrkdwn. */
export function noticeModal(title: string, text: string): View {
  return {
    type: "modal",
    title: plain(title, 24),
    close: plain("Close", 24),
    blocks: [{ type: "section", text: { type: "mrkdwn", text: `:no_entry: ${text.slice(0, 2900)}` } }],
  };
}
