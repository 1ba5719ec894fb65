CREATE TABLE "adrs" (
	"id" serial PRIMARY KEY NOT NULL,
	"agent_id" integer NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'awaiting_security_assessment' NOT NULL,
	"content" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"computed_tier" integer NOT NULL,
	"tier" integer NOT NULL,
	"score" integer NOT NULL,
	"tier_reasons" jsonb NOT NULL,
	"tier_raised_by" text,
	"tier_raised_reason" text,
	"requester" text NOT NULL,
	"submission_key" text NOT NULL,
	"security_assessment" jsonb,
	"assessed_by" text,
	"assessed_at" timestamp with time zone,
	"policy_version" text,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"review_started_at" timestamp with time zone,
	"sla_due_at" timestamp with time zone,
	"overdue" boolean DEFAULT false NOT NULL,
	"decided_at" timestamp with time zone,
	"outcome" text,
	"decision_why" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agents" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"status" text DEFAULT 'proposed' NOT NULL,
	"approval_status" text DEFAULT 'pending' NOT NULL,
	"business_owner" text NOT NULL,
	"technical_owner" text NOT NULL,
	"data_steward" text,
	"security_reviewer" text,
	"compliance_reviewer" text,
	"risk_tier" integer,
	"deployment_environment" text DEFAULT 'production' NOT NULL,
	"user_population" text DEFAULT 'internal' NOT NULL,
	"current_adr_id" integer,
	"approval_date" timestamp with time zone,
	"deployed_at" timestamp with time zone,
	"next_review_date" timestamp with time zone,
	"suspended_at" timestamp with time zone,
	"suspended_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_anchors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"anchor_hash" text NOT NULL,
	"heads" jsonb NOT NULL,
	"anchored_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_chain_heads" (
	"chain" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"chain" text NOT NULL,
	"seq" bigint NOT NULL,
	"event_type" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"agent_id" integer,
	"session_id" text,
	"actor" text,
	"data" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deadlines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"fired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "emergency_quorums" (
	"id" serial PRIMARY KEY NOT NULL,
	"incident_id" integer NOT NULL,
	"agent_id" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"outcome" text,
	"close_reason" text,
	"opened_by" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deadline_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" serial PRIMARY KEY NOT NULL,
	"agent_id" integer NOT NULL,
	"severity" text NOT NULL,
	"status" text DEFAULT 'declared' NOT NULL,
	"summary" text NOT NULL,
	"observed" text,
	"declared_by" text NOT NULL,
	"source" text DEFAULT 'slack' NOT NULL,
	"submission_key" text NOT NULL,
	"declared_at" timestamp with time zone DEFAULT now() NOT NULL,
	"response_due_at" timestamp with time zone NOT NULL,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"repage_count" integer DEFAULT 0 NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"checklist_done" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "post_incident_reviews" (
	"id" serial PRIMARY KEY NOT NULL,
	"incident_id" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"content" jsonb,
	"completed_by" text,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quorum_votes" (
	"id" serial PRIMARY KEY NOT NULL,
	"quorum_id" integer NOT NULL,
	"voter" text NOT NULL,
	"choice" text NOT NULL,
	"cast_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"agent_id" integer NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "drafts" (
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"content" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drafts_user_id_kind_pk" PRIMARY KEY("user_id","kind")
);
--> statement-breakpoint
CREATE TABLE "runtime_approvals" (
	"id" serial PRIMARY KEY NOT NULL,
	"agent_id" integer NOT NULL,
	"action" text NOT NULL,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "slack_users" (
	"user_id" text PRIMARY KEY NOT NULL,
	"tz" text,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"op" text NOT NULL,
	"ref" text,
	"target" text,
	"payload" jsonb NOT NULL,
	"deliver_after" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"result_ts" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "slack_messages" (
	"ref" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"ts" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "remediation_items" (
	"id" serial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"adr_id" integer,
	"incident_id" integer,
	"agent_id" integer,
	"description" text NOT NULL,
	"owner" text NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"evidence" text,
	"done_by" text,
	"done_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_reviews" (
	"id" serial PRIMARY KEY NOT NULL,
	"agent_id" integer NOT NULL,
	"kind" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"outcome" text,
	"notes" text,
	"completed_by" text,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "votes" (
	"id" serial PRIMARY KEY NOT NULL,
	"adr_id" integer NOT NULL,
	"voter" text NOT NULL,
	"role" text NOT NULL,
	"choice" text NOT NULL,
	"reason" text,
	"conditions" jsonb,
	"content_hash" text NOT NULL,
	"cast_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "adrs" ADD CONSTRAINT "adrs_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emergency_quorums" ADD CONSTRAINT "emergency_quorums_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_incident_reviews" ADD CONSTRAINT "post_incident_reviews_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quorum_votes" ADD CONSTRAINT "quorum_votes_quorum_id_emergency_quorums_id_fk" FOREIGN KEY ("quorum_id") REFERENCES "public"."emergency_quorums"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_reviews" ADD CONSTRAINT "agent_reviews_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_adr_id_adrs_id_fk" FOREIGN KEY ("adr_id") REFERENCES "public"."adrs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "adrs_agent_version_uq" ON "adrs" USING btree ("agent_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "adrs_submission_key_uq" ON "adrs" USING btree ("submission_key");--> statement-breakpoint
CREATE INDEX "adrs_status_idx" ON "adrs" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "agents_name_key_uq" ON "agents" USING btree ("name_key");--> statement-breakpoint
CREATE INDEX "agents_status_idx" ON "agents" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_chain_seq_uq" ON "audit_entries" USING btree ("chain","seq");--> statement-breakpoint
CREATE INDEX "audit_occurred_idx" ON "audit_entries" USING btree ("occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deadlines_key_uq" ON "deadlines" USING btree ("key");--> statement-breakpoint
CREATE INDEX "deadlines_pending_due_idx" ON "deadlines" USING btree ("status","due_at");--> statement-breakpoint
CREATE INDEX "deadlines_subject_idx" ON "deadlines" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE UNIQUE INDEX "emergency_quorums_incident_uq" ON "emergency_quorums" USING btree ("incident_id");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_submission_key_uq" ON "incidents" USING btree ("submission_key");--> statement-breakpoint
CREATE INDEX "incidents_agent_idx" ON "incidents" USING btree ("agent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "pir_incident_uq" ON "post_incident_reviews" USING btree ("incident_id");--> statement-breakpoint
CREATE UNIQUE INDEX "quorum_votes_uq" ON "quorum_votes" USING btree ("quorum_id","voter");--> statement-breakpoint
CREATE UNIQUE INDEX "agent_tokens_hash_uq" ON "agent_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("status","deliver_after");--> statement-breakpoint
CREATE INDEX "outbox_ref_idx" ON "outbox" USING btree ("ref");--> statement-breakpoint
CREATE INDEX "remediation_adr_idx" ON "remediation_items" USING btree ("adr_id");--> statement-breakpoint
CREATE INDEX "remediation_incident_idx" ON "remediation_items" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "agent_reviews_agent_idx" ON "agent_reviews" USING btree ("agent_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "votes_adr_voter_uq" ON "votes" USING btree ("adr_id","voter");