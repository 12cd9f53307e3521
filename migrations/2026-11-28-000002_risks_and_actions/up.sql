-- Risks and actions, with one assessment or status row per year.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- Dutch full-text search that ignores accents: `financien` finds "financiën".
CREATE TEXT SEARCH CONFIGURATION voortgang_dutch (COPY = pg_catalog.dutch);
ALTER TEXT SEARCH CONFIGURATION voortgang_dutch
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, dutch_stem;

CREATE DOMAIN report_year AS integer CHECK (VALUE BETWEEN 2000 AND 2100); -- limits::YEAR_MAX

CREATE TABLE risks (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id     slug NOT NULL REFERENCES domains (id) ON DELETE RESTRICT,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300), -- limits::TITLE_MAX
    description   text CHECK (length(description) <= 20000), -- limits::DESCRIPTION_MAX
    department_id slug REFERENCES departments (id) ON DELETE RESTRICT,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    search        tsvector GENERATED ALWAYS AS (
        to_tsvector('voortgang_dutch', title || ' ' || coalesce(description, ''))
    ) STORED
);
CREATE INDEX risks_domain_idx ON risks (domain_id);
CREATE INDEX risks_department_idx ON risks (department_id);
CREATE INDEX risks_updated_idx ON risks (updated_at, id);
CREATE INDEX risks_search_idx ON risks USING gin (search);

CREATE TABLE risk_themes (
    risk_id    integer NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    theme_code text NOT NULL REFERENCES themes (code) ON DELETE RESTRICT,
    PRIMARY KEY (risk_id, theme_code)
);
CREATE INDEX risk_themes_theme_idx ON risk_themes (theme_code);

CREATE TABLE risk_assessments (
    risk_id    integer NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    year       report_year NOT NULL,
    likelihood integer CHECK (likelihood BETWEEN 1 AND 5), -- limits::SCORE_MAX
    impact     integer CHECK (impact BETWEEN 1 AND 5), -- limits::SCORE_MAX
    status     text NOT NULL CHECK (status IN ('open', 'monitoring', 'mitigated', 'closed')),
    note       text CHECK (length(note) <= 5000), -- limits::NOTE_MAX
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (risk_id, year)
);
CREATE INDEX risk_assessments_year_idx ON risk_assessments (year, status);

CREATE TABLE actions (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_ref  text UNIQUE CHECK (length(external_ref) BETWEEN 1 AND 100), -- limits::REF_MAX
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300), -- limits::TITLE_MAX
    description   text CHECK (length(description) <= 20000), -- limits::DESCRIPTION_MAX
    -- NO ACTION (not RESTRICT): a cascade deletes a subtree in one statement
    parent_id     integer REFERENCES actions (id),
    department_id slug REFERENCES departments (id) ON DELETE RESTRICT,
    plan_ref      text CHECK (length(plan_ref) BETWEEN 1 AND 100), -- limits::REF_MAX
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    search        tsvector GENERATED ALWAYS AS (
        to_tsvector('voortgang_dutch', title || ' ' || coalesce(description, ''))
    ) STORED,
    CONSTRAINT actions_parent_not_self CHECK (parent_id <> id)
);
CREATE INDEX actions_parent_idx ON actions (parent_id);
CREATE INDEX actions_department_idx ON actions (department_id);
CREATE INDEX actions_title_idx ON actions (title, id);
CREATE INDEX actions_updated_idx ON actions (updated_at, id);
CREATE INDEX actions_created_idx ON actions (created_at, id);
CREATE INDEX actions_search_idx ON actions USING gin (search);

CREATE TABLE action_domains (
    action_id integer NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    domain_id slug NOT NULL REFERENCES domains (id) ON DELETE RESTRICT,
    PRIMARY KEY (action_id, domain_id)
);
CREATE INDEX action_domains_domain_idx ON action_domains (domain_id, action_id);

CREATE TABLE action_risks (
    action_id integer NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    risk_id   integer NOT NULL REFERENCES risks (id) ON DELETE RESTRICT,
    PRIMARY KEY (action_id, risk_id)
);
CREATE INDEX action_risks_risk_idx ON action_risks (risk_id, action_id);

CREATE TABLE action_themes (
    action_id  integer NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    theme_code text NOT NULL REFERENCES themes (code) ON DELETE RESTRICT,
    PRIMARY KEY (action_id, theme_code)
);
CREATE INDEX action_themes_theme_idx ON action_themes (theme_code, action_id);

CREATE TABLE action_statuses (
    action_id  integer NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    year       report_year NOT NULL,
    status     text NOT NULL
        CHECK (status IN ('planned', 'in_progress', 'realised', 'postponed', 'cancelled')),
    progress   integer CHECK (progress BETWEEN 0 AND 100), -- limits::PROGRESS_MAX
    note       text CHECK (length(note) <= 5000), -- limits::NOTE_MAX
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (action_id, year)
);
CREATE INDEX action_statuses_year_idx ON action_statuses (year, status, action_id);

-- A parent cannot be the action itself or one of its descendants.
CREATE FUNCTION actions_check_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND EXISTS (
        WITH RECURSIVE ancestors (id) AS (
            SELECT NEW.parent_id
            UNION
            SELECT a.parent_id FROM actions a JOIN ancestors ON a.id = ancestors.id
            WHERE a.parent_id IS NOT NULL
        )
        SELECT 1 FROM ancestors WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'action % cannot have % as parent: that is itself or one of its sub-actions',
            NEW.id, NEW.parent_id
            USING ERRCODE = 'check_violation', COLUMN = 'parent_id';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER actions_parent_cycle
    BEFORE INSERT OR UPDATE OF parent_id ON actions
    FOR EACH ROW EXECUTE FUNCTION actions_check_parent();

-- Every action belongs to at least one domain, checked when the transaction commits.
CREATE FUNCTION actions_check_domains() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    checked integer;
BEGIN
    IF TG_TABLE_NAME = 'actions' THEN
        checked := NEW.id;
    ELSE
        checked := OLD.action_id;
    END IF;
    IF EXISTS (SELECT 1 FROM actions WHERE id = checked)
       AND NOT EXISTS (SELECT 1 FROM action_domains WHERE action_id = checked) THEN
        RAISE EXCEPTION 'action % must belong to at least one domain', checked
            USING ERRCODE = 'check_violation', COLUMN = 'domain_ids';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER actions_have_a_domain
    AFTER INSERT ON actions DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION actions_check_domains();

CREATE CONSTRAINT TRIGGER action_domains_keep_one
    AFTER DELETE OR UPDATE ON action_domains DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION actions_check_domains();
