-- A document's subject and keywords (its PDF Info), beside its title and
-- author, so query terms can match them.
ALTER TABLE entry_facts ADD COLUMN subject  TEXT NOT NULL DEFAULT '';
ALTER TABLE entry_facts ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
