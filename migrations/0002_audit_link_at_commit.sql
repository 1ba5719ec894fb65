-- audit_entries.data becomes type json: it keeps the canonical text that was
-- hashed verbatim, so verification hashes it without parsing. (Rows written
-- before keep jsonb's rendering; the verifier then canonicalises them.)
CREATE TABLE "audit_pending" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"chain" text NOT NULL,
	"event_type" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"agent_id" integer,
	"session_id" text,
	"actor" text,
	"data" json NOT NULL,
	"before" text NOT NULL,
	"after" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_entries" ALTER COLUMN "data" SET DATA TYPE json;--> statement-breakpoint
-- Single appends are linked into their chain at COMMIT, not when the caller writes
-- them. The service inserts into audit_pending; this deferred constraint
-- trigger then runs as the transaction commits: it locks the chain's head row,
-- computes the entry's hash (the formula of entryHash: sha256 of prev_hash
-- followed by the canonical JSON, here assembled from the two halves split
-- around prev_hash and seq), inserts the entry, moves the head and deletes the
-- pending row. The head stays locked only while the commit runs, so one busy
-- chain is no longer held through the caller's remaining round trips. A
-- rolled-back transaction never reaches the trigger: no entry, no gap.
CREATE OR REPLACE FUNCTION audit_link_pending() RETURNS trigger AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  next_hash text;
BEGIN
  SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_heads WHERE chain = NEW.chain FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO audit_chain_heads (chain, seq, hash) VALUES (NEW.chain, 0, repeat('0', 64))
      ON CONFLICT (chain) DO NOTHING;
    SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_heads WHERE chain = NEW.chain FOR UPDATE;
  END IF;
  head_seq := head_seq + 1;
  next_hash := encode(sha256(convert_to(
    head_hash || NEW.before || head_hash || '","seq":' || head_seq || NEW.after, 'UTF8')), 'hex');
  INSERT INTO audit_entries (chain, seq, event_type, occurred_at, agent_id, session_id, actor, data, prev_hash, hash)
    VALUES (NEW.chain, head_seq, NEW.event_type, NEW.occurred_at, NEW.agent_id, NEW.session_id, NEW.actor,
            NEW.data, head_hash, next_hash);
  UPDATE audit_chain_heads SET seq = head_seq, hash = next_hash WHERE chain = NEW.chain;
  DELETE FROM audit_pending WHERE id = NEW.id;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER audit_pending_link_at_commit
  AFTER INSERT ON audit_pending
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION audit_link_pending();
