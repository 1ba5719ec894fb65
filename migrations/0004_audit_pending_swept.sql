-- The commit-time trigger no longer deletes the pending row it links: a row in
-- audit_pending that anyone can see belongs to a committed transaction, whose
-- trigger has already linked it, so deleting it can wait. The minute sweep
-- deletes them in bulk (see sweepLinkedPending). On the commit path the DELETE
-- cost about 35 µs of PostgreSQL's time per append, and a single writer
-- appends one entry per transaction, commit after commit.
CREATE OR REPLACE FUNCTION audit_link_pending() RETURNS trigger AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  next_hash text;
BEGIN
  PERFORM audit_lock_chain(NEW.chain);
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
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
