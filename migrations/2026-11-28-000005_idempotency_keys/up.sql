-- Responses to POST creates sent with an Idempotency-Key, kept 24 hours per token and key.

CREATE TABLE idempotency_keys (
    actor        text NOT NULL,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    operation    text NOT NULL,
    request_hash bytea NOT NULL,
    status       integer NOT NULL,
    location     text,
    body         json NOT NULL, -- json, not jsonb: the answer is replayed byte for byte in key order
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
