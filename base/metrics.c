/* metrics.c - atomic counters behind base/metrics.h. */
#include <stdatomic.h>
#include <string.h>

#include "base/metrics.h"

const double metric_bucket_le[METRIC_BUCKETS] = { 0.0005, 0.001, 0.0025,
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5 };

static atomic_ullong	inbound[MCHAN__COUNT][METRIC_INTENTS][METRIC_LANGS];
static atomic_ullong	sent[MCHAN__COUNT], failed[MCHAN__COUNT],
			retried[MCHAN__COUNT], duplicates[MCHAN__COUNT];
static atomic_ullong	req_bucket[METRIC_BUCKETS + 1], req_count,
			req_sum_us, status_class[6], model_failures;
static atomic_ullong	ussd_sessions;
static atomic_int	model_loaded;

static const char *const chan_names[MCHAN__COUNT] = { "sms", "telegram",
    "chat", "ussd", "other" };

enum metric_chan
metric_chan_of(const char *c)
{
	for (int i = 0; i < MCHAN_OTHER; i++)
		if (c != NULL && strcmp(c, chan_names[i]) == 0)
			return (enum metric_chan)i;
	return MCHAN_OTHER;
}

const char *
metric_chan_name(enum metric_chan c)
{
	return (int)c >= 0 && c < MCHAN__COUNT ? chan_names[c] : "other";
}

void
metrics_inbound(enum metric_chan c, int intent, int lang)
{
	if ((int)c < 0 || c >= MCHAN__COUNT || intent < 0 ||
	    intent >= METRIC_INTENTS || lang < 0 || lang >= METRIC_LANGS)
		return;
	atomic_fetch_add_explicit(&inbound[c][intent][lang], 1,
	    memory_order_relaxed);
}

#define BUMP(arr, c) do {						\
	if ((int)(c) >= 0 && (c) < MCHAN__COUNT)			\
		atomic_fetch_add_explicit(&(arr)[c], 1, memory_order_relaxed); \
} while (0)

void
metrics_sent(enum metric_chan c)
{
	BUMP(sent, c);
}

void
metrics_send_failed(enum metric_chan c)
{
	BUMP(failed, c);
}

void
metrics_send_retry(enum metric_chan c)
{
	BUMP(retried, c);
}

void
metrics_duplicate(enum metric_chan c)
{
	BUMP(duplicates, c);
}

void
metrics_ussd_session(void)
{
	atomic_fetch_add_explicit(&ussd_sessions, 1, memory_order_relaxed);
}

void
metrics_request(double s, unsigned status)
{
	int	b = 0;

	while (b < METRIC_BUCKETS && s > metric_bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&req_bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&req_count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&req_sum_us,
	    (unsigned long long)(s * 1e6), memory_order_relaxed);
	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&status_class[status / 100], 1,
		    memory_order_relaxed);
}

void
metrics_snapshot(struct metrics_snapshot *m)
{
	memset(m, 0, sizeof(*m));
	for (int c = 0; c < MCHAN__COUNT; c++) {
		for (int i = 0; i < METRIC_INTENTS; i++)
			for (int l = 0; l < METRIC_LANGS; l++)
				m->inbound[c][i][l] = atomic_load(
				    &inbound[c][i][l]);
		m->sent[c] = atomic_load(&sent[c]);
		m->failed[c] = atomic_load(&failed[c]);
		m->retried[c] = atomic_load(&retried[c]);
		m->duplicates[c] = atomic_load(&duplicates[c]);
	}
	for (int b = 0; b <= METRIC_BUCKETS; b++)
		m->req_bucket[b] = atomic_load(&req_bucket[b]);
	m->req_count = atomic_load(&req_count);
	m->ussd_sessions = atomic_load(&ussd_sessions);
	m->model_loaded = atomic_load(&model_loaded);
	m->model_load_failures = atomic_load(&model_failures);
	m->req_sum = (double)atomic_load(&req_sum_us) / 1e6;
	for (int i = 0; i < 6; i++)
		m->status_class[i] = atomic_load(&status_class[i]);
}

void
metrics_model(int loaded)
{
	atomic_store(&model_loaded, loaded != 0);
}

void
metrics_model_load_failed(void)
{
	atomic_fetch_add_explicit(&model_failures, 1, memory_order_relaxed);
}
