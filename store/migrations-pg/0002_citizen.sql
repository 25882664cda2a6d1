-- PostgreSQL 0002: the outbox's claim asks, for each due row, whether its
-- chat has another pending row under a live lease; pending rows by chat
-- answer that without reading the whole outbox.
CREATE INDEX outbox_chat_pending ON outbox(channel, address)
	WHERE state = 'pending';
