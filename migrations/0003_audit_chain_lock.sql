-- Appends to one chain queue on a transaction-scoped advisory lock before the
-- head row's lock. Waiting on a row lock wakes every waiter at each commit:
-- all of them re-read the head and all but one go back to sleep, so with 32
-- writers on one chain Postgres spent 1.4 ms of CPU per append. Waiters on an
-- advisory lock are granted it one at a time, in order. The key is the
-- chain's hashtext in its own class (1635083369, "audi"); two chains that
-- share a key only queue together. Batch appends take the same lock first
-- (see appendMany), so the two kinds of writer lock in the same order.
CREATE OR REPLACE FUNCTION audit_lock_chain(chain text) RETURNS void AS $$
  SELECT pg_advisory_xact_lock(1635083369, hashtext(chain));
$$ LANGUAGE sql;
--> statement-breakpoint
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
  DELETE FROM audit_pending WHERE id = NEW.id;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
