-- Adoption of a year's report: an immutable snapshot of the report as adopted, and a lock on
-- the assessments and statuses of that year, enforced here so that no client, not even SQL
-- outside the service, changes what the council adopted.

ALTER TABLE report_years
    ADD COLUMN sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT report_years_adopted_has_snapshot
        CHECK ((status = 'adopted') = (sha256 IS NOT NULL AND adopted_on IS NOT NULL));

CREATE TABLE report_snapshots (
    year       report_year PRIMARY KEY REFERENCES report_years (year) ON DELETE RESTRICT,
    body       text NOT NULL,
    sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    adopted_at timestamptz NOT NULL DEFAULT now(),
    adopted_by text NOT NULL
);

CREATE FUNCTION report_snapshots_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the snapshot of an adopted report cannot be changed: % is refused', TG_OP
        USING ERRCODE = 'check_violation', CONSTRAINT = 'report_year_adopted';
END $$;

CREATE TRIGGER report_snapshots_immutable
    BEFORE UPDATE OR DELETE ON report_snapshots
    FOR EACH ROW EXECUTE FUNCTION report_snapshots_refuse_change();

CREATE TRIGGER report_snapshots_no_truncate
    BEFORE TRUNCATE ON report_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION report_snapshots_refuse_change();

-- the metadata of an adopted report is frozen with it; re-opening is not offered
CREATE FUNCTION report_years_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'adopted' THEN
        RAISE EXCEPTION 'The report of % is adopted: its metadata can no longer change.', OLD.year
            USING ERRCODE = 'check_violation', CONSTRAINT = 'report_year_adopted';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER report_years_frozen
    BEFORE UPDATE OR DELETE ON report_years
    FOR EACH ROW EXECUTE FUNCTION report_years_frozen();

-- assessments and statuses of an adopted year are locked. A writer takes a shared lock on the
-- year and adoption an exclusive one, so no write slips in while a report is being adopted.
CREATE FUNCTION report_year_locked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    checked integer;
BEGIN
    FOREACH checked IN ARRAY CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[NEW.year]
        WHEN 'DELETE' THEN ARRAY[OLD.year]
        ELSE ARRAY[OLD.year, NEW.year] END
    LOOP
        PERFORM pg_advisory_xact_lock_shared(217, checked);
        IF EXISTS (SELECT 1 FROM report_years WHERE year = checked AND status = 'adopted') THEN
            RAISE EXCEPTION 'The report of % is adopted: its assessments and statuses can no longer change.', checked
                USING ERRCODE = 'check_violation', CONSTRAINT = 'report_year_adopted';
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER risk_assessments_year_locked
    BEFORE INSERT OR UPDATE OR DELETE ON risk_assessments
    FOR EACH ROW EXECUTE FUNCTION report_year_locked();

CREATE TRIGGER action_statuses_year_locked
    BEFORE INSERT OR UPDATE OR DELETE ON action_statuses
    FOR EACH ROW EXECUTE FUNCTION report_year_locked();

CREATE FUNCTION report_years_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM report_years WHERE status = 'adopted') THEN
        RAISE EXCEPTION 'adopted reports lock their assessments and statuses: TRUNCATE is refused'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'report_year_adopted';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER risk_assessments_no_truncate
    BEFORE TRUNCATE ON risk_assessments
    FOR EACH STATEMENT EXECUTE FUNCTION report_years_refuse_truncate();

CREATE TRIGGER action_statuses_no_truncate
    BEFORE TRUNCATE ON action_statuses
    FOR EACH STATEMENT EXECUTE FUNCTION report_years_refuse_truncate();
