-- Every service process keeps what it read in memory until the data changes. The data
-- version is bumped (once per transaction, at commit) by every table a response is made of,
-- and each bump, like every change to the tokens, is announced with NOTIFY, so that all
-- processes drop what they kept within moments of the commit.

CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('voortgang.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('voortgang.data_version_bumped', 'on', true);
        UPDATE data_version SET version = version + 1;
        PERFORM pg_notify('voortgang_data', '');
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['departments', 'action_risks', 'action_themes', 'risk_themes'] LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()',
            t || '_data_version', t);
    END LOOP;
END $$;

CREATE FUNCTION api_tokens_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('voortgang_tokens', '');
    RETURN NULL;
END $$;

CREATE TRIGGER api_tokens_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();

CREATE TRIGGER api_token_departments_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_token_departments
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();
