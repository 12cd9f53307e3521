-- Reference data: control domains with their criteria, departments, and the
-- themes of Audit Vlaanderen's Leidraad organisatiebeheersing.

CREATE DOMAIN slug AS text
    CHECK (VALUE ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(VALUE) <= 64); -- limits::SLUG_MAX

CREATE TABLE domains (
    id          slug PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200), -- limits::NAME_MAX
    description text CHECK (length(description) <= 10000), -- limits::DOMAIN_DESCRIPTION_MAX
    position    integer NOT NULL CHECK (position >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- deferred so that a reorder can shift several rows in one statement
    CONSTRAINT domains_position_key UNIQUE (position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE criteria (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id  slug NOT NULL REFERENCES domains (id) ON DELETE RESTRICT,
    text       text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000), -- limits::CRITERION_MAX
    position   integer NOT NULL CHECK (position >= 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT criteria_position_key UNIQUE (domain_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE departments (
    id         slug PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200), -- limits::NAME_MAX
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE themes (
    number integer PRIMARY KEY CHECK (number BETWEEN 0 AND 10),
    code   text NOT NULL UNIQUE CHECK (code ~ '^[A-Z]{2,4}$'),
    name   text NOT NULL
);

INSERT INTO themes (number, code, name) VALUES
    (0, 'AOB', 'Aanpak van organisatiebeheersing'),
    (1, 'DP', 'Doelstellingen en procesmanagement'),
    (2, 'BHM', 'Belanghebbendenmanagement'),
    (3, 'MON', 'Monitoring'),
    (4, 'FIM', 'Financieel management'),
    (5, 'ORG', 'Organisatiestructuur'),
    (6, 'HRM', 'Personeelsbeleid'),
    (7, 'CUL', 'Organisatiecultuur'),
    (8, 'ICO', 'Informatie en communicatie'),
    (9, 'FAM', 'Facilitaire middelen, opdrachten en contracten'),
    (10, 'ICT', 'ICT');
