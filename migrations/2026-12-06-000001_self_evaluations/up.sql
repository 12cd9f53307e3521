-- Self-evaluation against the Leidraad organisatiebeheersing: a maturity score per theme on
-- Audit Vlaanderen's assessment scale, with a target, the reasoning, the evidence and the
-- improvement actions it leads to.

-- Audit Vlaanderen's assessment scale, as its page on the benchmark of maturity levels
-- (https://auditvlaanderen.be/benchmark-van-de-maturiteitsniveaus) names the levels. The
-- descriptions summarise the page's legend: in general, and for the approach to internal
-- control (organisatiebeheersing). Reference data: read-only through the API. The page speaks
-- of five colour codes; the levels above 3 are added by a later migration once their
-- published names and descriptions are on record, and a score can only name a level here.
CREATE TABLE maturity_levels (
    level          smallint PRIMARY KEY CHECK (level BETWEEN 0 AND 9), -- limits::MATURITY_LEVEL_MAX
    name           text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    cycle_phase    text CHECK (cycle_phase IN ('Plan', 'Do', 'Check', 'Act')),
    description    text NOT NULL,
    internal_control text NOT NULL
);

INSERT INTO maturity_levels (level, name, cycle_phase, description, internal_control) VALUES
    (0, 'Onbestaand', NULL,
     'Geen of bijna geen beheersmaatregelen; weinig controlebewustzijn en weinig acties naar een adequaat systeem van organisatiebeheersing.',
     'Geen adequaat kader, geen systematische rapportering over organisatiebeheersing aan de raden en geen door analyse onderbouwde verbeteracties.'),
    (1, 'Ad-hocbasis', NULL,
     'Beheersmaatregelen ontstaan ad hoc. Het bewustzijn groeit, maar een gestructureerde of gestandaardiseerde aanpak ontbreekt; het systeem steunt op personen eerder dan op systemen.',
     'Diverse initiatieven rond organisatiebeheersing, die nog onvoldoende gekaderd, consistent toegepast of kwaliteitsvol zijn.'),
    (2, 'Gestructureerde aanzet', 'Plan',
     'Een gestructureerde aanzet tot beheersmaatregelen: de beheersinstrumenten worden ontwikkeld, maar nog niet toegepast.',
     'Een (beperkt) kader dat in belangrijke mate wordt toegepast; de rapportering over organisatiebeheersing is consistent en degelijk.'),
    (3, 'Gedefinieerd', 'Do',
     'Beheersmaatregelen zijn er: gestandaardiseerd, gedocumenteerd, gecommuniceerd en toegepast.',
     'Een adequaat kader dat overwegend goed wordt toegepast.');

CREATE TABLE self_evaluations (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_ref  text UNIQUE CHECK (length(external_ref) BETWEEN 1 AND 100), -- limits::REF_MAX
    year          report_year NOT NULL,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300), -- limits::TITLE_MAX
    scope         text NOT NULL CHECK (scope IN ('organisation', 'department', 'partial')),
    department_id slug REFERENCES departments (id) ON DELETE RESTRICT,
    evaluated_on  date CHECK (evaluated_on BETWEEN '2000-01-01' AND '2101-12-31'),
    method        text CHECK (length(method) <= 5000), -- limits::NOTE_MAX
    participants  text CHECK (length(participants) <= 5000), -- limits::NOTE_MAX
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    search        tsvector GENERATED ALWAYS AS (
        to_tsvector('voortgang_dutch', title || ' ' || coalesce(method, '') || ' '
                    || coalesce(participants, ''))
    ) STORED,
    -- a department's self-evaluation names the department; the others do not
    CONSTRAINT self_evaluations_department_scope
        CHECK ((scope = 'department') = (department_id IS NOT NULL)),
    UNIQUE (id, year)
);
CREATE INDEX self_evaluations_year_idx ON self_evaluations (year, id);
CREATE INDEX self_evaluations_department_idx ON self_evaluations (department_id);
CREATE INDEX self_evaluations_updated_idx ON self_evaluations (updated_at, id);
CREATE INDEX self_evaluations_search_idx ON self_evaluations USING gin (search);

-- the score per Leidraad theme; `year` follows the evaluation's, so adoption locks it
CREATE TABLE self_evaluation_scores (
    self_evaluation_id integer NOT NULL,
    year          report_year NOT NULL,
    theme_code    text NOT NULL REFERENCES themes (code) ON DELETE RESTRICT,
    score         smallint NOT NULL REFERENCES maturity_levels (level) ON DELETE RESTRICT,
    target        smallint REFERENCES maturity_levels (level) ON DELETE RESTRICT,
    reasoning     text CHECK (length(reasoning) <= 5000), -- limits::NOTE_MAX
    evidence      text CHECK (length(evidence) <= 5000), -- limits::NOTE_MAX
    evidence_urls text[] NOT NULL DEFAULT '{}'
                  CHECK (cardinality(evidence_urls) <= 20 AND array_position(evidence_urls, NULL) IS NULL), -- limits::EVIDENCE_LINKS_MAX
    PRIMARY KEY (self_evaluation_id, theme_code),
    FOREIGN KEY (self_evaluation_id, year) REFERENCES self_evaluations (id, year)
        ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX self_evaluation_scores_theme_idx ON self_evaluation_scores (theme_code, year);

-- the improvement actions a theme's score leads to
CREATE TABLE self_evaluation_actions (
    self_evaluation_id integer NOT NULL,
    theme_code    text NOT NULL,
    action_id     integer NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    PRIMARY KEY (self_evaluation_id, theme_code, action_id),
    FOREIGN KEY (self_evaluation_id, theme_code)
        REFERENCES self_evaluation_scores (self_evaluation_id, theme_code) ON DELETE CASCADE
);
CREATE INDEX self_evaluation_actions_action_idx ON self_evaluation_actions (action_id);

-- the adopted year's self-evaluations are part of its report: locked like its other rows
CREATE TRIGGER self_evaluations_year_locked
    BEFORE INSERT OR UPDATE OR DELETE ON self_evaluations
    FOR EACH ROW EXECUTE FUNCTION report_year_locked();
CREATE TRIGGER self_evaluation_scores_year_locked
    BEFORE INSERT OR UPDATE OR DELETE ON self_evaluation_scores
    FOR EACH ROW EXECUTE FUNCTION report_year_locked();
CREATE TRIGGER self_evaluations_no_truncate
    BEFORE TRUNCATE ON self_evaluations
    FOR EACH STATEMENT EXECUTE FUNCTION report_years_refuse_truncate();
CREATE TRIGGER self_evaluation_scores_no_truncate
    BEFORE TRUNCATE ON self_evaluation_scores
    FOR EACH STATEMENT EXECUTE FUNCTION report_years_refuse_truncate();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['self_evaluations', 'self_evaluation_scores',
                             'self_evaluation_actions'] LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()',
            t || '_data_version', t);
    END LOOP;
END $$;
