-- The token that wrote, besides its name: names are chosen by people and can look alike; the id
-- is what a revocation or an investigation refers to. Null for the service's own writes (demo
-- data, the command line) and for events recorded before this column existed. Tokens are
-- revoked, never deleted, so the reference always resolves.
ALTER TABLE audit_events ADD COLUMN actor_token_id integer REFERENCES api_tokens (id);

CREATE INDEX audit_events_actor_token_idx ON audit_events (actor_token_id, id);
