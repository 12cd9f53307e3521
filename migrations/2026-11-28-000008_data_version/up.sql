-- One counter that changes whenever data a report is made of changes, so a rendered report
-- can be kept until then. It is bumped once per transaction, at commit (deferred triggers),
-- so writers hold its row lock only for the instant of their commit.

CREATE TABLE data_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version  bigint NOT NULL
);
INSERT INTO data_version (version) VALUES (1);

CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('voortgang.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('voortgang.data_version_bumped', 'on', true);
        UPDATE data_version SET version = version + 1;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['domains', 'criteria', 'risks', 'risk_assessments', 'actions',
                             'action_domains', 'action_statuses', 'report_years'] LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()',
            t || '_data_version', t);
    END LOOP;
END $$;
