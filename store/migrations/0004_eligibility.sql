-- 0004: eligibility as data.  Each programme's texts in the four
-- languages, its questions, its amount rule and its criteria over the
-- citizen's answers; figures the criteria refer to (the minimum consumer
-- expenditure) with their year and source; Inson centres by district and
-- the spellings a district is known by.  Written by `murojaat rules
-- import` (data/programmes.json, data/offices.tsv), read each turn.

ALTER TABLE programmes ADD COLUMN general INTEGER NOT NULL DEFAULT 0;
					-- > 0: checked, in this order, when
					-- no programme is named
ALTER TABLE programmes ADD COLUMN ask TEXT NOT NULL DEFAULT '';
					-- facts asked, ';'-separated, in order
ALTER TABLE programmes ADD COLUMN amount_kind TEXT NOT NULL DEFAULT 'none';
					-- none, fixed, per_child
ALTER TABLE programmes ADD COLUMN amount_fixed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programmes ADD COLUMN amount_first INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programmes ADD COLUMN amount_first_under3 INTEGER NOT NULL
	DEFAULT 0;
ALTER TABLE programmes ADD COLUMN amount_second INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programmes ADD COLUMN amount_further INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programmes ADD COLUMN amount_since TEXT;	-- 'YYYY-MM-DD'
ALTER TABLE programmes ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

-- name, who (is eligible), documents, apply (where and how), timeline
-- (deadlines and decision), per language tag
CREATE TABLE programme_texts (
	code		TEXT NOT NULL REFERENCES programmes(code)
			    ON DELETE CASCADE,
	lang		TEXT NOT NULL,
	field		TEXT NOT NULL,
	text		TEXT NOT NULL,
	PRIMARY KEY (code, lang, field)
);

-- criteria over answers: fact op value [value2], or a figure by name
-- (ref, times factor); a failed test within unsure (a factor of the
-- limit) is "cannot tell"; reason picks the sentence that explains it
CREATE TABLE programme_rules (
	code		TEXT NOT NULL REFERENCES programmes(code)
			    ON DELETE CASCADE,
	pos		INTEGER NOT NULL,
	fact		TEXT NOT NULL,
	op		TEXT NOT NULL CHECK (op IN ('lt', 'le', 'gt', 'ge',
			    'eq', 'ne', 'between', 'in')),
	value		REAL,
	value2		REAL,
	ref		TEXT,			-- settings.key
	factor		REAL NOT NULL DEFAULT 1,
	unsure		REAL,
	vals		TEXT,			-- op 'in': ';'-separated
	reason		TEXT NOT NULL,
	PRIMARY KEY (code, pos)
);

CREATE TABLE settings (
	key		TEXT PRIMARY KEY,	-- mce, ...
	value		REAL NOT NULL,
	year		INTEGER,
	unit		TEXT,
	source		TEXT
);

CREATE TABLE offices (
	district	TEXT PRIMARY KEY,	-- code, as in applications
	region		TEXT NOT NULL,
	days		TEXT NOT NULL,		-- '1-5': Monday to Friday
	opens		TEXT NOT NULL,		-- 'HH:MM'
	closes		TEXT NOT NULL,
	phone		TEXT,
	indicative	INTEGER NOT NULL DEFAULT 1,	-- address not sourced
	source		TEXT
);
CREATE INDEX offices_region ON offices(region);

-- name and address, per language tag
CREATE TABLE office_texts (
	district	TEXT NOT NULL REFERENCES offices(district)
			    ON DELETE CASCADE,
	lang		TEXT NOT NULL,
	name		TEXT NOT NULL,
	address		TEXT NOT NULL,
	PRIMARY KEY (district, lang)
);

-- every spelling a district is written in, folded (rules_fold)
CREATE TABLE office_aliases (
	alias		TEXT NOT NULL,
	district	TEXT NOT NULL REFERENCES offices(district)
			    ON DELETE CASCADE,
	PRIMARY KEY (alias, district)
);
