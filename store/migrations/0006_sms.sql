-- 0006: what the SMS channel needs: per-sender rate limits, delivery
-- reports, and which provider carried a message.
ALTER TABLE contacts ADD COLUMN rate_min_start INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN rate_min_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN rate_day_start INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN rate_day_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN rate_warned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN opted_out_at INTEGER;

-- kannel or aggregator for SMS; the aggregator's own id, for its reports
ALTER TABLE outbox ADD COLUMN provider TEXT;
ALTER TABLE outbox ADD COLUMN provider_id TEXT;
CREATE INDEX outbox_provider_id ON outbox(provider_id)
	WHERE provider_id IS NOT NULL;

-- delivery reports as they came (Kannel types 1, 2, 4, 8, 16)
CREATE TABLE delivery_reports (
	id		INTEGER PRIMARY KEY,
	message_id	INTEGER REFERENCES messages(id),
	provider	TEXT NOT NULL,
	type		TEXT NOT NULL,
	detail		TEXT,
	received_at	INTEGER NOT NULL
);
CREATE INDEX delivery_reports_msg ON delivery_reports(message_id);

-- notices find the contact of an applicant by phone
CREATE INDEX contacts_phone ON contacts(phone) WHERE phone IS NOT NULL;
