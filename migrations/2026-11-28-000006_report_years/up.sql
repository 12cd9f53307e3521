-- The yearly progress report (voortgangsrapport): its metadata per year.

CREATE TABLE report_years (
    year         report_year PRIMARY KEY,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 300), -- limits::TITLE_MAX
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'adopted')),
    presented_to text CHECK (length(presented_to) <= 300), -- limits::TITLE_MAX
    presented_on date,
    adopted_on   date,
    decision_url text CHECK (length(decision_url) <= 2000), -- limits::URL_MAX
    introduction text CHECK (length(introduction) <= 50000), -- limits::INTRODUCTION_MAX
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
