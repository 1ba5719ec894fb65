import type { App } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { registerAdrRequestBack } from "./adr-request-back.ts";
import { registerAdrDraftStartOver } from "./adr-draft-start-over.ts";
import { registerAdrDraftContinue } from "./adr-draft-continue.ts";
import { registerAdrAssessmentOpen } from "./adr-assessment-open.ts";
import { registerMarkDeployed } from "./mark-deployed.ts";
import { registerStartReview } from "./start-review.ts";
import { registerApprovalApprove } from "./approval-approve.ts";
import { registerApprovalConditionDone } from "./approval-condition-done.ts";
import { registerApprovalConditional } from "./approval-conditional.ts";
import { registerApprovalRaiseTier } from "./approval-raise-tier.ts";
import { registerApprovalReject } from "./approval-reject.ts";
import { registerApprovalWithdraw } from "./approval-withdraw.ts";
import { registerIncidentAcknowledge } from "./incident-acknowledge.ts";
import { registerIncidentChangeSeverity } from "./incident-change-severity.ts";
import { registerIncidentChecklist } from "./incident-checklist.ts";
import { registerIncidentConveneQuorum } from "./incident-convene-quorum.ts";
import { registerIncidentDeclareForAgent } from "./incident-declare-for-agent.ts";
import { registerIncidentEscalate } from "./incident-escalate.ts";
import { registerIncidentResolve } from "./incident-resolve.ts";
import { registerIncidentStartReview } from "./incident-start-review.ts";
import { registerQuorumVote } from "./quorum-vote.ts";

export function registerActions(app: App, deps: Deps): void {
  // Feature listeners register here, one file each.
  registerMarkDeployed(app, deps);
  registerStartReview(app, deps);
  registerApprovalApprove(app, deps);
  registerApprovalConditional(app, deps);
  registerApprovalReject(app, deps);
  registerApprovalRaiseTier(app, deps);
  registerApprovalWithdraw(app, deps);
  registerApprovalConditionDone(app, deps);
  registerIncidentDeclareForAgent(app, deps);
  registerIncidentAcknowledge(app, deps);
  registerIncidentEscalate(app, deps);
  registerIncidentResolve(app, deps);
  registerIncidentChangeSeverity(app, deps);
  registerIncidentChecklist(app, deps);
  registerIncidentConveneQuorum(app, deps);
  registerQuorumVote(app, deps);
  registerIncidentStartReview(app, deps);
  registerAdrAssessmentOpen(app, deps);
  registerAdrDraftContinue(app, deps);
  registerAdrDraftStartOver(app, deps);
  registerAdrRequestBack(app, deps);
}
