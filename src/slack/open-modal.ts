import type { View } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { loadingModal, noticeModal } from "../../blocks/incident/notice-modal.ts";
import { isGovernorError } from "../domain/errors.ts";

/**
 * Opens a modal the way Slack's 3-second trigger demands: a "Loading…" view
 * first, before any database work, then the real form in its place. A
 * refusal (GovernorError) is shown in the modal instead of the form; any
 * other failure goes on to the global handler.
 */
export async function openModalThenFill(
  client: WebClient,
  o: { triggerId: string; title: string; stack?: boolean },
  build: () => Promise<View>,
): Promise<void> {
  const loading = loadingModal(o.title);
  const opened = o.stack
    ? await client.views.push({ trigger_id: o.triggerId, view: loading })
    : await client.views.open({ trigger_id: o.triggerId, view: loading });
  const viewId = opened.view?.id;
  if (!viewId) return;
  const hash = opened.view?.hash;
  let view: View;
  try {
    view = await build();
  } catch (err) {
    if (!isGovernorError(err)) throw err;
    view = noticeModal(o.title, err.message);
  }
  await client.views.update({ view_id: viewId, ...(hash ? { hash } : {}), view });
}
