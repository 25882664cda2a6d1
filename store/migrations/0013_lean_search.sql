-- 0013: the search index without column sizes.  The help desk orders its
-- matches by time, never by rank (bm25), so the per-row size record FTS5
-- keeps for ranking (a row of messages_fts_docsize per message, in each of
-- the two indexes) was written on every message and never read.  Rebuilt
-- from the messages table by the indexer, from its cursor 'search'.
DROP TABLE messages_fts;
DROP TABLE message_ids_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content = '',
	columnsize = 0);
CREATE VIRTUAL TABLE message_ids_fts USING fts5(ids, sender, content = '',
	columnsize = 0);
UPDATE index_state SET last_id = 0 WHERE name = 'search';
