DROP TRIGGER action_statuses_no_truncate ON action_statuses;
DROP TRIGGER risk_assessments_no_truncate ON risk_assessments;
DROP FUNCTION report_years_refuse_truncate();
DROP TRIGGER action_statuses_year_locked ON action_statuses;
DROP TRIGGER risk_assessments_year_locked ON risk_assessments;
DROP FUNCTION report_year_locked();
DROP TRIGGER report_years_frozen ON report_years;
DROP FUNCTION report_years_frozen();
DROP TABLE report_snapshots;
DROP FUNCTION report_snapshots_refuse_change();
ALTER TABLE report_years
    DROP CONSTRAINT report_years_adopted_has_snapshot,
    DROP COLUMN sha256;
