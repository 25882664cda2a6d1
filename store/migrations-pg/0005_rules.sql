-- PostgreSQL 0005: the version of the eligibility data, so that every node
-- knows when to drop the programmes and district spellings it keeps in
-- memory (SQLite reads PRAGMA data_version for the same purpose).
--
-- Every statement that writes programmes, their texts and criteria,
-- settings, offices, their texts or spellings first sets v to a new value
-- of a sequence, in the writer's own transaction: a node that reads v and
-- finds it changed reads the data again.  A sequence's values are never
-- handed out twice, not even after a rollback, so a version a node saw
-- inside a transaction that was rolled back never names committed data.
-- The trigger fires BEFORE the statement, so every writer of these tables
-- locks the one row of rules_version first: writers take turns there
-- instead of deadlocking on the rows they share.

CREATE SEQUENCE rules_version_seq;

CREATE TABLE rules_version (
	id	integer PRIMARY KEY CHECK (id = 1),
	v	bigint NOT NULL
);
INSERT INTO rules_version (id, v) VALUES (1, nextval('rules_version_seq'));

CREATE FUNCTION rules_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rules_version SET v = nextval('rules_version_seq') WHERE id = 1;
	RETURN NULL;
END
$$;

CREATE TRIGGER programmes_version BEFORE INSERT OR UPDATE OR DELETE OR
    TRUNCATE ON programmes FOR EACH STATEMENT
    EXECUTE FUNCTION rules_version_bump();
CREATE TRIGGER programme_texts_version BEFORE INSERT OR UPDATE OR DELETE OR
    TRUNCATE ON programme_texts FOR EACH STATEMENT
    EXECUTE FUNCTION rules_version_bump();
CREATE TRIGGER programme_rules_version BEFORE INSERT OR UPDATE OR DELETE OR
    TRUNCATE ON programme_rules FOR EACH STATEMENT
    EXECUTE FUNCTION rules_version_bump();
CREATE TRIGGER settings_version BEFORE INSERT OR UPDATE OR DELETE OR
    TRUNCATE ON settings FOR EACH STATEMENT
    EXECUTE FUNCTION rules_version_bump();
CREATE TRIGGER offices_version BEFORE INSERT OR UPDATE OR DELETE OR
    TRUNCATE ON offices FOR EACH STATEMENT
    EXECUTE FUNCTION rules_version_bump();
CREATE TRIGGER office_texts_version BEFORE INSERT OR UPDATE OR DELETE OR
    TRUNCATE ON office_texts FOR EACH STATEMENT
    EXECUTE FUNCTION rules_version_bump();
CREATE TRIGGER office_aliases_version BEFORE INSERT OR UPDATE OR DELETE OR
    TRUNCATE ON office_aliases FOR EACH STATEMENT
    EXECUTE FUNCTION rules_version_bump();
