-- 0016: the help desk's search tells the citizens' messages from the
-- messages sent to them, and finds a contact by its own phone in contacts.
-- Each index keeps two columns, one per direction: an inbound body's
-- tokens go into body_in (its identifiers' digits into ids_in), an
-- outbound one's into body_out (ids_out), so a search of the citizens'
-- words alone is a column filter of the same index, and one row per
-- message is written as before.  The contact's own phone is no longer a
-- token of every message (the column sender of 0012): a search by phone
-- reads contacts.address and contacts.phone, exactly, through their
-- indexes.  Rebuilt from the messages table by the indexer, from its
-- cursor 'search'.
DROP TABLE messages_fts;
DROP TABLE message_ids_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5(body_in, body_out, content = '',
	columnsize = 0);
CREATE VIRTUAL TABLE message_ids_fts USING fts5(ids_in, ids_out,
	content = '', columnsize = 0);
UPDATE index_state SET last_id = 0 WHERE name = 'search';
CREATE INDEX contacts_address ON contacts(address);
