import {
  boardSev1Notice,
  cisoSev1Dm,
  ownerAlertDm,
  pageReply,
  securityAlertDm,
} from "../../../blocks/incident/notices.ts";
import type { Tx } from "../../db/client.ts";
import type { AgentRow, IncidentRow } from "../../db/schema/index.ts";
import { escapeMrkdwn } from "../../domain/slack-text.ts";
import { assertNever } from "../../domain/transition.ts";
import type { IncidentEffect } from "../../domain/incident.ts";
import type { Actor } from "../audit/append.ts";
import type { Deps } from "../deps.ts";
import { type Effects, enqueueOutbox } from "../effects.ts";
import { suspendAgent } from "./agent-status.ts";
import { actorName } from "./context.ts";
import { addTimeline, refOf } from "./page.ts";
import { openEmergencyQuorum } from "./quorum-open.ts";

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * Carries out the automatic actions of a declaration or a raise, in the
 * caller's transaction: suspension, board notice, emergency quorum, alerts.
 * `page` effects: on declaration the page itself is the page (and the CISO,
 * when targeted, is DMed); on a raise they become a broadcast thread reply.
 * Response checks and the review are scheduled by the verb that owns them.
 */
export async function carryOutAutomaticActions(
  tx: Tx,
  fx: Effects,
  deps: Deps,
  o: {
    incident: IncidentRow;
    agent: AgentRow;
    effects: IncidentEffect[];
    actor: Actor;
    now: Date;
    declaring: boolean;
    /** mrkdwn for a page in the thread (raise); defaults to the domain's reason, escaped. */
    pageText?: string;
    /** Timeline lines for the thread, posted by the caller once the page exists. */
    notes: string[];
  },
): Promise<{ suspended: boolean; agent: AgentRow }> {
  const { incident, actor, now } = o;
  const channels = deps.config.channels;
  let suspended = o.agent.status === "suspended";
  let agent = o.agent;
  // The suspension first: it is the safety action, and every message after it can say so.
  const ordered = [
    ...o.effects.filter((e) => e.type === "suspend_agent"),
    ...o.effects.filter((e) => e.type !== "suspend_agent"),
  ];
  for (const effect of ordered) {
    switch (effect.type) {
      case "suspend_agent": {
        const reason = `${incident.severity} incident #${incident.id}: ${incident.summary}`.slice(0, 500);
        const result = await suspendAgent(tx, fx, deps, {
          agent,
          reason,
          actor,
          now,
          incidentId: incident.id,
        });
        if (result.done) agent = result.agent;
        suspended = agent.status === "suspended";
        o.notes.push(
          result.done
            ? ":no_entry: Agent *suspended*: the runtime policy API now denies it everything."
            : `:information_source: Agent not suspended: ${escapeMrkdwn(result.why)}.`,
        );
        break;
      }
      case "page": {
        const ref = refOf(incident, agent);
        if (effect.targets.includes("ciso")) {
          await enqueueOutbox(tx, fx, {
            op: "dm",
            user: deps.config.ciso,
            message: cisoSev1Dm(ref, suspended, channels.oncall),
          });
        }
        if (!o.declaring) {
          const ciso = effect.targets.includes("ciso") ? deps.config.ciso : null;
          const what = o.pageText ?? escapeMrkdwn(effect.reason);
          await addTimeline(tx, fx, incident.id, pageReply(what, deps.config.oncall, ciso), true);
        }
        break;
      }
      case "notify_board":
        await enqueueOutbox(tx, fx, {
          op: "post",
          channel: channels.board,
          message: boardSev1Notice(refOf(incident, agent), suspended),
        });
        o.notes.push(`:classical_building: Board notified in <#${channels.board}>.`);
        break;
      case "open_emergency_quorum":
        await openEmergencyQuorum(tx, fx, deps, {
          incident,
          agent,
          openedBy: actorName({ system: "sev1" }),
          actor,
          now,
          notes: o.notes,
        });
        break;
      case "alert_security":
        await enqueueOutbox(tx, fx, {
          op: "dm",
          user: deps.config.ciso,
          message: securityAlertDm(refOf(incident, agent), channels.oncall),
        });
        o.notes.push(`:shield: Security alerted (<@${deps.config.ciso}>).`);
        break;
      case "alert_agent_owner": {
        const owners = [...new Set([agent.businessOwner, agent.technicalOwner])].filter((u) =>
          USER_ID.test(u),
        );
        for (const user of owners) {
          await enqueueOutbox(tx, fx, {
            op: "dm",
            user,
            message: ownerAlertDm(refOf(incident, agent), channels.oncall),
          });
        }
        o.notes.push(":bust_in_silhouette: The agent's owners were alerted.");
        break;
      }
      case "schedule_response_check":
      case "cancel_response_check":
      case "open_post_incident_review":
        break;
      default:
        assertNever(effect, "incident effect");
    }
  }
  return { suspended, agent };
}
