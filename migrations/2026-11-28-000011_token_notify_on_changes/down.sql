DROP TRIGGER api_tokens_notify_changes ON api_tokens;
DROP TRIGGER api_tokens_notify ON api_tokens;
CREATE TRIGGER api_tokens_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();
