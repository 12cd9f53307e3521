-- Webhooks: subscriptions of other systems to what changes, and the deliveries to them.
--
-- Events come from the audit trail, which every write fills in its own transaction. Each
-- event now carries the id of the transaction that wrote it. The delivery worker takes the
-- events of transactions older than every transaction still running (the snapshot's xmin),
-- in the order of (transaction, event), so an event whose transaction commits late is never
-- passed over, and an event is never seen before its commit.

ALTER TABLE audit_events ADD COLUMN xact_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX audit_events_xact_idx ON audit_events (xact_id, id);

CREATE TABLE webhooks (
    id                    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url                   text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000), -- limits::URL_MAX
    description           text CHECK (length(description) <= 300), -- limits::TITLE_MAX
    event_types           text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50), -- limits::EVENT_TYPES_MAX
    department_id         slug REFERENCES departments (id) ON DELETE CASCADE,
    payload               text NOT NULL CHECK (payload IN ('thin', 'full')),
    active                boolean NOT NULL DEFAULT true,
    state                 text NOT NULL DEFAULT 'healthy' CHECK (state IN ('healthy', 'failing')),
    secret                text NOT NULL,
    previous_secret       text,
    previous_secret_until timestamptz,
    -- events of transactions after this one are delivered (those of the creating one too)
    since_xact            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Where the fan-out of audit events to deliveries stands: the last event handed out.
CREATE TABLE webhook_cursor (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    xact_id  xid8 NOT NULL,
    event_id bigint NOT NULL
);
INSERT INTO webhook_cursor (xact_id, event_id)
    SELECT pg_current_xact_id(), coalesce(max(id), 0) FROM audit_events;

CREATE TABLE webhook_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id       integer NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- the `webhook-id` header: the same for every attempt and redelivery of the message
    message_id       text NOT NULL,
    event_type       text NOT NULL,
    audit_event_id   bigint,
    body             jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- an instance sending the delivery holds it until then; after that another may take it
    lease_until      timestamptz,
    first_attempt_at timestamptz,
    last_attempt_at  timestamptz,
    last_status      integer,
    last_duration_ms integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    UNIQUE (webhook_id, message_id)
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (webhook_id, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, id DESC);

-- The deadline notices sent: one per year and department.
CREATE TABLE webhook_deadline_notices (
    year          report_year NOT NULL,
    department_id slug NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    sent_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, department_id)
);
