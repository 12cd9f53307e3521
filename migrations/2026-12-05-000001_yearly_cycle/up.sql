-- The yearly cycle: a year is opened for collection, departments answer, the internal-control
-- coordinator (the reviewer role) approves or returns each answer, then the report is adopted.

ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check,
    ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('reader', 'editor', 'reviewer', 'admin'));

-- collecting -> draft -> adopted; a year without collection starts as a draft, as before
ALTER TABLE report_years DROP CONSTRAINT report_years_status_check,
    ADD CONSTRAINT report_years_status_check CHECK (status IN ('collecting', 'draft', 'adopted')),
    ADD COLUMN collect_until date,
    ADD COLUMN review_required boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT report_years_collecting_has_deadline
        CHECK (status <> 'collecting' OR collect_until IS NOT NULL);

CREATE FUNCTION report_years_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
        (OLD.status = 'collecting' AND NEW.status = 'draft') OR
        (OLD.status = 'draft' AND NEW.status IN ('collecting', 'adopted'))
    ) THEN
        RAISE EXCEPTION 'The report of % cannot go from % to %.', OLD.year, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'report_year_transition';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER report_years_transition
    BEFORE UPDATE OF status ON report_years
    FOR EACH ROW EXECUTE FUNCTION report_years_transition();

-- Review of a yearly row (an action's status, a risk's assessment) in a year whose metadata
-- says review_required: null when the year is not reviewed. Whoever submitted a row never
-- reviews it: the CHECK holds whatever client writes.
ALTER TABLE action_statuses
    ADD COLUMN review text CHECK (review IN ('submitted', 'approved', 'returned')),
    ADD COLUMN submitted_by text CHECK (length(submitted_by) <= 100), -- limits::TOKEN_NAME_MAX
    ADD COLUMN reviewed_by text CHECK (length(reviewed_by) <= 100), -- limits::TOKEN_NAME_MAX
    ADD COLUMN reviewed_at timestamptz,
    ADD COLUMN review_note text CHECK (length(review_note) <= 5000), -- limits::NOTE_MAX
    ADD CONSTRAINT action_statuses_review_by_another
        CHECK (review IS DISTINCT FROM 'approved' AND review IS DISTINCT FROM 'returned'
               OR (reviewed_by IS NOT NULL AND reviewed_by IS DISTINCT FROM submitted_by)),
    ADD CONSTRAINT action_statuses_returned_has_note
        CHECK (review IS DISTINCT FROM 'returned' OR review_note IS NOT NULL);

ALTER TABLE risk_assessments
    ADD COLUMN review text CHECK (review IN ('submitted', 'approved', 'returned')),
    ADD COLUMN submitted_by text CHECK (length(submitted_by) <= 100), -- limits::TOKEN_NAME_MAX
    ADD COLUMN reviewed_by text CHECK (length(reviewed_by) <= 100), -- limits::TOKEN_NAME_MAX
    ADD COLUMN reviewed_at timestamptz,
    ADD COLUMN review_note text CHECK (length(review_note) <= 5000), -- limits::NOTE_MAX
    ADD CONSTRAINT risk_assessments_review_by_another
        CHECK (review IS DISTINCT FROM 'approved' AND review IS DISTINCT FROM 'returned'
               OR (reviewed_by IS NOT NULL AND reviewed_by IS DISTINCT FROM submitted_by)),
    ADD CONSTRAINT risk_assessments_returned_has_note
        CHECK (review IS DISTINCT FROM 'returned' OR review_note IS NOT NULL);

-- A change to what a row says, in a year under review (review_required, not adopted), makes
-- it submitted again, by whoever wrote it (the writer sets submitted_by); outside such a year
-- a row carries no review.
CREATE FUNCTION yearly_row_submitted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := true;
    ELSIF TG_TABLE_NAME = 'action_statuses' THEN
        changed := (NEW.status, NEW.progress, NEW.note)
            IS DISTINCT FROM (OLD.status, OLD.progress, OLD.note);
    ELSE
        changed := (NEW.likelihood, NEW.impact, NEW.status, NEW.note)
            IS DISTINCT FROM (OLD.likelihood, OLD.impact, OLD.status, OLD.note);
    END IF;
    IF NOT changed THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM report_years
               WHERE year = NEW.year AND review_required AND status <> 'adopted') THEN
        NEW.review := 'submitted';
        NEW.reviewed_by := NULL;
        NEW.reviewed_at := NULL;
        NEW.review_note := NULL;
    ELSE
        NEW.review := NULL;
        NEW.reviewed_by := NULL;
        NEW.reviewed_at := NULL;
        NEW.review_note := NULL;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER action_statuses_submitted
    BEFORE INSERT OR UPDATE ON action_statuses
    FOR EACH ROW EXECUTE FUNCTION yearly_row_submitted();

CREATE TRIGGER risk_assessments_submitted
    BEFORE INSERT OR UPDATE ON risk_assessments
    FOR EACH ROW EXECUTE FUNCTION yearly_row_submitted();

-- what a worklist and the progress overview read: a year's rows by review state
CREATE INDEX action_statuses_year_review_idx ON action_statuses (year, review);
CREATE INDEX risk_assessments_year_review_idx ON risk_assessments (year, review);
