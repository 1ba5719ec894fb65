import type { App } from "@slack/bolt";
import type { Deps } from "../../../services/deps.ts";
import { registerAdrRequestClosed } from "./adr-request-closed.ts";
import { registerAdrRequestView } from "./adr-request.ts";
import { registerAdrImportView } from "./adr-import.ts";
import { registerAdrAssessmentView } from "./adr-assessment.ts";
import { registerAgentReviewView } from "./agent-review.ts";
import { registerApprovalConditionDoneView } from "./approval-condition-done.ts";
import { registerApprovalConditionalView } from "./approval-conditional.ts";
import { registerApprovalRaiseTierView } from "./approval-raise-tier.ts";
import { registerApprovalRejectView } from "./approval-reject.ts";
import { registerIncidentDeclareView } from "./incident-declare.ts";
import { registerIncidentResolveView } from "./incident-resolve.ts";
import { registerIncidentReviewView } from "./incident-review.ts";

export function registerViews(app: App, deps: Deps): void {
  // Feature listeners register here, one file each.
  registerAgentReviewView(app, deps);
  registerApprovalConditionalView(app, deps);
  registerApprovalRejectView(app, deps);
  registerApprovalRaiseTierView(app, deps);
  registerApprovalConditionDoneView(app, deps);
  registerIncidentDeclareView(app, deps);
  registerIncidentResolveView(app, deps);
  registerIncidentReviewView(app, deps);
  registerAdrRequestView(app, deps);
  registerAdrRequestClosed(app, deps);
  registerAdrImportView(app, deps);
  registerAdrAssessmentView(app, deps);
}
