-- 0019: an Inson centre's landmark ("moʻljal": what a citizen asks a
-- passer-by for), per language beside its address; empty where none is
-- known.  The help desk's admins correct an office's address, landmark,
-- phone and hours (audited); `rules import` of offices.tsv sets them too.
ALTER TABLE office_texts ADD COLUMN landmark TEXT NOT NULL DEFAULT '';
