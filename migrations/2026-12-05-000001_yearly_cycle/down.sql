DROP INDEX risk_assessments_year_review_idx;
DROP INDEX action_statuses_year_review_idx;
DROP TRIGGER risk_assessments_submitted ON risk_assessments;
DROP TRIGGER action_statuses_submitted ON action_statuses;
DROP FUNCTION yearly_row_submitted();
ALTER TABLE risk_assessments DROP COLUMN review, DROP COLUMN submitted_by,
    DROP COLUMN reviewed_by, DROP COLUMN reviewed_at, DROP COLUMN review_note;
ALTER TABLE action_statuses DROP COLUMN review, DROP COLUMN submitted_by,
    DROP COLUMN reviewed_by, DROP COLUMN reviewed_at, DROP COLUMN review_note;
DROP TRIGGER report_years_transition ON report_years;
DROP FUNCTION report_years_transition();
ALTER TABLE report_years DROP CONSTRAINT report_years_collecting_has_deadline,
    DROP COLUMN review_required, DROP COLUMN collect_until,
    DROP CONSTRAINT report_years_status_check,
    ADD CONSTRAINT report_years_status_check CHECK (status IN ('draft', 'adopted'));
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check,
    ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('reader', 'editor', 'admin'));
