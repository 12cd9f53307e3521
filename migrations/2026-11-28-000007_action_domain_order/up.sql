-- The order of actions within each domain, as the report lists them: an action shared by
-- several domains has its own place in each. A new link goes to the end of its domain; ties
-- (concurrent links) fall back to the action's id.

ALTER TABLE action_domains ADD COLUMN position integer;

UPDATE action_domains SET position = ordered.position
  FROM (SELECT action_id, domain_id,
               row_number() OVER (PARTITION BY domain_id ORDER BY action_id) AS position
          FROM action_domains) AS ordered
 WHERE action_domains.action_id = ordered.action_id
   AND action_domains.domain_id = ordered.domain_id;

ALTER TABLE action_domains
    ALTER COLUMN position SET NOT NULL,
    ADD CONSTRAINT action_domains_position_positive CHECK (position >= 1);

CREATE FUNCTION action_domains_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.position IS NULL THEN
        SELECT coalesce(max(position), 0) + 1 INTO NEW.position
          FROM action_domains WHERE domain_id = NEW.domain_id;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER action_domains_append
    BEFORE INSERT ON action_domains
    FOR EACH ROW EXECUTE FUNCTION action_domains_append();

DROP INDEX action_domains_domain_idx;
CREATE INDEX action_domains_domain_idx ON action_domains (domain_id, position, action_id);
