DROP TABLE audit_actions;
DROP TABLE audit_domains;
DROP TABLE audit_themes;
DROP TABLE audits;
