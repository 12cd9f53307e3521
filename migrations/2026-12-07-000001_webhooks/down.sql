DROP TABLE webhook_deadline_notices;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_cursor;
DROP TABLE webhooks;
DROP INDEX audit_events_xact_idx;
ALTER TABLE audit_events DROP COLUMN xact_id;
