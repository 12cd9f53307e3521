-- API tokens: only a SHA-256 hash of the secret is stored.

CREATE TABLE api_tokens (
    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100), -- limits::TOKEN_NAME_MAX
    role         text NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    secret_hash  bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz
);

-- The departments an editor may change.
CREATE TABLE api_token_departments (
    token_id      integer NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    department_id slug NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, department_id)
);
