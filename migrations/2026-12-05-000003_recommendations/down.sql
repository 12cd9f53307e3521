DROP TABLE recommendation_statuses;
DROP TABLE recommendation_actions;
DROP TABLE recommendations;
CREATE OR REPLACE FUNCTION yearly_row_submitted() RETURNS trigger LANGUAGE plpgsql AS $$
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
    ELSE
        NEW.review := NULL;
    END IF;
    NEW.reviewed_by := NULL;
    NEW.reviewed_at := NULL;
    NEW.review_note := NULL;
    RETURN NEW;
END $$;
