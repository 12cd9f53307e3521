DROP INDEX action_domains_domain_idx;
CREATE INDEX action_domains_domain_idx ON action_domains (domain_id, action_id);
DROP TRIGGER action_domains_append ON action_domains;
DROP FUNCTION action_domains_append();
ALTER TABLE action_domains DROP COLUMN position;
