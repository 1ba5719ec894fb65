import type { KnownBlock, ModalView } from "@slack/types";
import { escapeMrkdwn, plainText, truncate } from "../../src/domain/slack-text.ts";
import { type AdrUiIds, button } from "./format.ts";

/** The YAML import modal: one multiline input whose block_id is `adr_yaml`. */
export function adrImportView(ids: AdrUiIds): ModalView {
  return {
    type: "modal",
    callback_id: ids.importCallback,
    title: { type: "plain_text", text: "Import an ADR" },
    submit: { type: "plain_text", text: "Check and continue" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text:
            "Paste an Agent Deployment Request in YAML (the framework's `agent-deployment-request.yaml`). " +
            "Every problem is listed with its path; a valid file opens the request form, filled in, for you to review and submit. " +
            "Owners may be Slack user ids or e-mail addresses of people in this workspace.",
        },
      },
      {
        type: "input",
        block_id: ids.importBlock,
        label: { type: "plain_text", text: "ADR (YAML)" },
        hint: {
          type: "plain_text",
          text: "Slack takes up to 3000 characters here; drop comments if it is longer. Check a file first with agov validate FILE.",
        },
        element: {
          type: "plain_text_input",
          action_id: ids.inputAction,
          multiline: true,
          max_length: 3000,
          placeholder: { type: "plain_text", text: "agent_metadata: …" },
        },
      },
    ],
  };
}

export interface DraftPromptModel {
  agentName: string | null;
  step: 1 | 2 | 3;
  savedAt: Date;
  ids: AdrUiIds;
}

/** The first view when a draft exists: continue it or start over. */
export function adrDraftPromptView(m: DraftPromptModel): ModalView {
  const what = m.agentName ? `for *${escapeMrkdwn(m.agentName)}*` : "";
  const saved = m.savedAt.toISOString().slice(0, 16).replace("T", " ");
  return {
    type: "modal",
    callback_id: m.ids.draftPromptCallback,
    title: { type: "plain_text", text: "Agent request" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: truncate(
            `You have an unfinished request ${what} (step ${m.step} of 3, saved ${saved} UTC). Continue where you left off, or start over with an empty form (the draft is discarded).`,
            3000,
          ),
        },
      },
      {
        type: "actions",
        elements: [
          button("Continue draft", m.ids.continueDraft, "continue", "primary"),
          button("Start over", m.ids.startOver, "start_over", "danger"),
        ],
      },
    ],
  };
}

/** A closing message in a modal (no inputs, no submit). `text` is our own mrkdwn; escape user text first. */
export function adrNoticeView(ids: AdrUiIds, title: string, text: string): ModalView {
  const blocks: KnownBlock[] = [{ type: "section", text: { type: "mrkdwn", text: truncate(text, 3000) } }];
  return {
    type: "modal",
    callback_id: ids.noticeCallback,
    title: { type: "plain_text", text: plainText(title, 24) },
    close: { type: "plain_text", text: "Close" },
    blocks,
  };
}
