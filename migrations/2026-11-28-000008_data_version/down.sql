DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['domains', 'criteria', 'risks', 'risk_assessments', 'actions',
                             'action_domains', 'action_statuses', 'report_years'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_data_version', t);
    END LOOP;
END $$;
DROP FUNCTION data_version_bump();
DROP TABLE data_version;
