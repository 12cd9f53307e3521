-- The recommendations of an audit and what became of each, year by year: a yearly row like an
-- action's status, locked when the year is adopted and reviewed while the year is reviewed.

CREATE TABLE recommendations (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    audit_id      integer NOT NULL REFERENCES audits (id) ON DELETE RESTRICT,
    external_ref  text UNIQUE CHECK (length(external_ref) BETWEEN 1 AND 100), -- limits::REF_MAX
    text          text NOT NULL CHECK (length(text) BETWEEN 1 AND 5000), -- limits::NOTE_MAX
    priority      text NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
    department_id slug REFERENCES departments (id) ON DELETE RESTRICT,
    due_on        date CHECK (due_on BETWEEN '2000-01-01' AND '2101-12-31'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    search        tsvector GENERATED ALWAYS AS (to_tsvector('voortgang_dutch', text)) STORED
);
CREATE INDEX recommendations_audit_idx ON recommendations (audit_id, id);
CREATE INDEX recommendations_department_idx ON recommendations (department_id);
CREATE INDEX recommendations_updated_idx ON recommendations (updated_at, id);
CREATE INDEX recommendations_search_idx ON recommendations USING gin (search);

-- the actions that implement a recommendation
CREATE TABLE recommendation_actions (
    recommendation_id integer NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    action_id         integer NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    PRIMARY KEY (recommendation_id, action_id)
);
CREATE INDEX recommendation_actions_action_idx ON recommendation_actions (action_id);

CREATE TABLE recommendation_statuses (
    recommendation_id integer NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    year         report_year NOT NULL,
    status       text NOT NULL CHECK (status IN ('open', 'in_progress', 'implemented',
                 'partly_implemented', 'not_implemented', 'risk_accepted')),
    note         text CHECK (length(note) <= 5000), -- limits::NOTE_MAX
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    review       text CHECK (review IN ('submitted', 'approved', 'returned')),
    submitted_by text CHECK (length(submitted_by) <= 100), -- limits::TOKEN_NAME_MAX
    reviewed_by  text CHECK (length(reviewed_by) <= 100), -- limits::TOKEN_NAME_MAX
    reviewed_at  timestamptz,
    review_note  text CHECK (length(review_note) <= 5000), -- limits::NOTE_MAX
    PRIMARY KEY (recommendation_id, year),
    -- accepting the risk of not implementing a recommendation says why
    CONSTRAINT recommendation_statuses_accepted_has_reason
        CHECK (status <> 'risk_accepted' OR length(note) > 0),
    CONSTRAINT recommendation_statuses_review_by_another
        CHECK (review IS DISTINCT FROM 'approved' AND review IS DISTINCT FROM 'returned'
               OR (reviewed_by IS NOT NULL AND reviewed_by IS DISTINCT FROM submitted_by)),
    CONSTRAINT recommendation_statuses_returned_has_note
        CHECK (review IS DISTINCT FROM 'returned' OR review_note IS NOT NULL)
);
CREATE INDEX recommendation_statuses_year_idx ON recommendation_statuses (year, status);

-- the same rules as the other yearly rows: adoption locks the year, review follows writes
CREATE TRIGGER recommendation_statuses_year_locked
    BEFORE INSERT OR UPDATE OR DELETE ON recommendation_statuses
    FOR EACH ROW EXECUTE FUNCTION report_year_locked();
CREATE TRIGGER recommendation_statuses_no_truncate
    BEFORE TRUNCATE ON recommendation_statuses
    FOR EACH STATEMENT EXECUTE FUNCTION report_years_refuse_truncate();

CREATE OR REPLACE FUNCTION yearly_row_submitted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := true;
    ELSIF TG_TABLE_NAME = 'action_statuses' THEN
        changed := (NEW.status, NEW.progress, NEW.note)
            IS DISTINCT FROM (OLD.status, OLD.progress, OLD.note);
    ELSIF TG_TABLE_NAME = 'recommendation_statuses' THEN
        changed := (NEW.status, NEW.note) IS DISTINCT FROM (OLD.status, OLD.note);
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
    ELSE
        NEW.review := NULL;
    END IF;
    NEW.reviewed_by := NULL;
    NEW.reviewed_at := NULL;
    NEW.review_note := NULL;
    RETURN NEW;
END $$;

CREATE TRIGGER recommendation_statuses_submitted
    BEFORE INSERT OR UPDATE ON recommendation_statuses
    FOR EACH ROW EXECUTE FUNCTION yearly_row_submitted();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['recommendations', 'recommendation_actions',
                             'recommendation_statuses'] LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()',
            t || '_data_version', t);
    END LOOP;
END $$;
