-- Using a token records when it was last used; that is no change anyone must hear about
-- (it would drop every kept token at its first use). Updates announce only real changes.

DROP TRIGGER api_tokens_notify ON api_tokens;

CREATE TRIGGER api_tokens_notify
    AFTER INSERT OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();

CREATE TRIGGER api_tokens_notify_changes
    AFTER UPDATE ON api_tokens
    FOR EACH ROW
    WHEN (ROW(OLD.name, OLD.role, OLD.secret_hash, OLD.expires_at, OLD.revoked_at)
          IS DISTINCT FROM ROW(NEW.name, NEW.role, NEW.secret_hash, NEW.expires_at, NEW.revoked_at))
    EXECUTE FUNCTION api_tokens_notify();
