DROP TRIGGER api_token_departments_notify ON api_token_departments;
DROP TRIGGER api_tokens_notify ON api_tokens;
DROP FUNCTION api_tokens_notify();
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['departments', 'action_risks', 'action_themes', 'risk_themes'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_data_version', t);
    END LOOP;
END $$;
CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('voortgang.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('voortgang.data_version_bumped', 'on', true);
        UPDATE data_version SET version = version + 1;
    END IF;
    RETURN NULL;
END $$;
