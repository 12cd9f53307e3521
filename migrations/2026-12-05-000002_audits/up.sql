-- The register of audits: who audited the organisation, when, with which report, on which
-- Leidraad themes and control domains, and the actions that follow from it. (The audit
-- *trail* of writes is `audit_events`; this is about audit engagements.)

CREATE TABLE audits (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_ref  text UNIQUE CHECK (length(external_ref) BETWEEN 1 AND 100), -- limits::REF_MAX
    auditor       text NOT NULL
                  CHECK (auditor IN ('audit_vlaanderen', 'internal_audit', 'external_auditor', 'other')),
    auditor_name  text CHECK (length(auditor_name) BETWEEN 1 AND 300), -- limits::TITLE_MAX
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300), -- limits::TITLE_MAX
    description   text CHECK (length(description) <= 20000), -- limits::DESCRIPTION_MAX
    audited_on    date CHECK (audited_on BETWEEN '2000-01-01' AND '2101-12-31'),
    reference     text CHECK (length(reference) BETWEEN 1 AND 300), -- limits::TITLE_MAX
    report_url    text CHECK (length(report_url) <= 2000), -- limits::URL_MAX
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    search        tsvector GENERATED ALWAYS AS (
        to_tsvector('voortgang_dutch', title || ' ' || coalesce(auditor_name, '') || ' '
                    || coalesce(description, ''))
    ) STORED
);
CREATE INDEX audits_updated_idx ON audits (updated_at, id);
CREATE INDEX audits_search_idx ON audits USING gin (search);

CREATE TABLE audit_themes (
    audit_id   integer NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    theme_code text NOT NULL REFERENCES themes (code) ON DELETE RESTRICT,
    PRIMARY KEY (audit_id, theme_code)
);
CREATE INDEX audit_themes_theme_idx ON audit_themes (theme_code);

CREATE TABLE audit_domains (
    audit_id  integer NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    domain_id slug NOT NULL REFERENCES domains (id) ON DELETE RESTRICT,
    PRIMARY KEY (audit_id, domain_id)
);
CREATE INDEX audit_domains_domain_idx ON audit_domains (domain_id);

-- the actions that follow from an audit (its action plan)
CREATE TABLE audit_actions (
    audit_id  integer NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    action_id integer NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    PRIMARY KEY (audit_id, action_id)
);
CREATE INDEX audit_actions_action_idx ON audit_actions (action_id);

-- every process drops what it kept when these change, as for the other tables a response is
-- made of (data_version, once per transaction at commit)
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['audits', 'audit_themes', 'audit_domains', 'audit_actions'] LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()',
            t || '_data_version', t);
    END LOOP;
END $$;
