-- 0011: the language a contact last used in each script, so that a
-- message whose words do not decide its language ("СТОП", "Xiva", a code
-- with a loanword) is answered in the contact's own language of that
-- script: lang_cyrl is uz-Cyrl or ru, lang_latn uz-Latn or en, and '' when
-- the contact never wrote that script.  contacts.lang stays the
-- conversation's language (the last reply's).  An existing uz-Latn is not
-- copied: it was also what undecided messages got, and '' means uz-Latn.
ALTER TABLE contacts ADD COLUMN lang_cyrl TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN lang_latn TEXT NOT NULL DEFAULT '';
UPDATE contacts SET lang_cyrl = lang WHERE lang IN ('uz-Cyrl', 'ru');
UPDATE contacts SET lang_latn = lang WHERE lang = 'en';
