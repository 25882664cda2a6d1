/* ops.c - /metrics and /readyz. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/metrics.h"
#include "gateway/ops.h"
#include "gateway/server.h"
#include "intents/nlu.h"
#include "store/sms.h"

struct buf {
	char	*p;
	size_t	 len, cap;
	int	 failed;
};

static void
bprintf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t	 cap = b->cap * 2 + (size_t)n;
			char	*np = realloc(b->p, cap);

			if (np == NULL) {
				b->failed = 1;
				return;
			}
			b->p = np;
			b->cap = cap;
		}
	}
}

enum MHD_Result
ops_metrics(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	struct metrics_snapshot	 m;
	struct buf		 b = { NULL, 0, 0, 0 };
	int64_t			 depth = 0, age = 0;
	unsigned long long	 cum = 0;
	enum MHD_Result		 ret;

	(void)r;
	(void)method;
	if ((b.p = malloc(16384)) == NULL)
		return MHD_NO;
	b.cap = 16384;
	metrics_snapshot(&m);
	store_outbox_stats(bot_store(server_bot(s)), (int64_t)time(NULL),
	    &depth, &age);
	bprintf(&b, "# HELP murojaat_messages_in_total Inbound messages "
	    "stored, by channel, intent and language.\n"
	    "# TYPE murojaat_messages_in_total counter\n");
	for (int c = 0; c < MCHAN__COUNT; c++)
		for (int i = 0; i < INTENT__COUNT && i < METRIC_INTENTS; i++)
			for (int l = 0; l < METRIC_LANGS; l++)
				if (m.inbound[c][i][l] > 0)
					bprintf(&b, "murojaat_messages_in_total"
					    "{channel=\"%s\",intent=\"%s\","
					    "lang=\"%s\"} %llu\n",
					    metric_chan_name((enum metric_chan)c),
					    intent_name((enum intent)i),
					    lang_tag((enum lang)l),
					    m.inbound[c][i][l]);
	bprintf(&b, "# HELP murojaat_sends_total Replies a provider accepted "
	    "(or parts of long ones).\n# TYPE murojaat_sends_total counter\n");
	for (int c = 0; c < MCHAN__COUNT; c++)
		bprintf(&b, "murojaat_sends_total{channel=\"%s\"} %llu\n",
		    metric_chan_name((enum metric_chan)c), m.sent[c]);
	bprintf(&b, "# HELP murojaat_messages_duplicate_total Inbound "
	    "messages whose provider id was seen before (answered with the "
	    "stored reply, not stored again).\n"
	    "# TYPE murojaat_messages_duplicate_total counter\n");
	for (int c = 0; c < MCHAN__COUNT; c++)
		bprintf(&b, "murojaat_messages_duplicate_total{channel=\"%s\"} "
		    "%llu\n", metric_chan_name((enum metric_chan)c),
		    m.duplicates[c]);
	bprintf(&b, "# HELP murojaat_send_failures_total Replies that failed "
	    "for good.\n# TYPE murojaat_send_failures_total counter\n");
	for (int c = 0; c < MCHAN__COUNT; c++)
		bprintf(&b, "murojaat_send_failures_total{channel=\"%s\"} %llu\n",
		    metric_chan_name((enum metric_chan)c), m.failed[c]);
	bprintf(&b, "# HELP murojaat_send_retries_total Attempts that will be "
	    "tried again.\n# TYPE murojaat_send_retries_total counter\n");
	for (int c = 0; c < MCHAN__COUNT; c++)
		bprintf(&b, "murojaat_send_retries_total{channel=\"%s\"} %llu\n",
		    metric_chan_name((enum metric_chan)c), m.retried[c]);
	bprintf(&b, "# HELP murojaat_ussd_sessions_total USSD sessions begun "
	    "(a first screen answered).\n"
	    "# TYPE murojaat_ussd_sessions_total counter\n"
	    "murojaat_ussd_sessions_total %llu\n", m.ussd_sessions);
	bprintf(&b, "# HELP murojaat_outbox_depth Replies waiting to be "
	    "sent.\n# TYPE murojaat_outbox_depth gauge\n"
	    "murojaat_outbox_depth %lld\n"
	    "# HELP murojaat_outbox_oldest_seconds Age of the oldest waiting "
	    "reply.\n# TYPE murojaat_outbox_oldest_seconds gauge\n"
	    "murojaat_outbox_oldest_seconds %lld\n", (long long)depth,
	    (long long)age);
	bprintf(&b, "# HELP murojaat_http_request_duration_seconds From a "
	    "request's first byte to its answer.\n"
	    "# TYPE murojaat_http_request_duration_seconds histogram\n");
	for (int i = 0; i < METRIC_BUCKETS; i++) {
		cum += m.req_bucket[i];
		bprintf(&b, "murojaat_http_request_duration_seconds_bucket"
		    "{le=\"%g\"} %llu\n", metric_bucket_le[i], cum);
	}
	cum += m.req_bucket[METRIC_BUCKETS];
	bprintf(&b, "murojaat_http_request_duration_seconds_bucket{le=\"+Inf\"} "
	    "%llu\nmurojaat_http_request_duration_seconds_sum %.6f\n"
	    "murojaat_http_request_duration_seconds_count %llu\n", cum,
	    m.req_sum, m.req_count);
	bprintf(&b, "# HELP murojaat_nlu_model_loaded 1 when the trained intent "
	    "model decides, 0 when patterns alone do.\n"
	    "# TYPE murojaat_nlu_model_loaded gauge\n"
	    "murojaat_nlu_model_loaded %d\n"
	    "# HELP murojaat_nlu_model_load_failures_total Model files that "
	    "could not be loaded.\n"
	    "# TYPE murojaat_nlu_model_load_failures_total counter\n"
	    "murojaat_nlu_model_load_failures_total %llu\n", m.model_loaded,
	    m.model_load_failures);
	if (b.failed) {
		free(b.p);
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "out of memory");
	}
	ret = http_reply(conn, MHD_HTTP_OK,
	    "text/plain; version=0.0.4; charset=utf-8", b.p, b.len);
	free(b.p);
	return ret;
}

enum MHD_Result
ops_readyz(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	(void)r;
	(void)method;
	if (server_stopping(s))
		return http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "stopping");
	if (store_ping(bot_store(server_bot(s))) != MJ_OK)
		return http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "store not answering");
	return http_reply(conn, MHD_HTTP_OK, "text/plain; charset=utf-8",
	    "ready\n", 6);
}
