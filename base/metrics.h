/*
 * metrics.h - counters every stage bumps and GET /metrics renders in the
 * Prometheus text format.  Lock-free (C11 atomics); plumbing: includes
 * nothing else from the project.
 */
#ifndef BASE_METRICS_H
#define BASE_METRICS_H
#include <stddef.h>

enum metric_chan { MCHAN_SMS, MCHAN_TELEGRAM, MCHAN_CHAT, MCHAN_USSD,
    MCHAN_OTHER, MCHAN__COUNT };

#define METRIC_INTENTS	16	/* >= INTENT__COUNT */
#define METRIC_LANGS	4
#define METRIC_BUCKETS	12

enum metric_chan	metric_chan_of(const char *channel);
const char		*metric_chan_name(enum metric_chan);

/* An inbound message stored (intent and lang are enum values). */
void	metrics_inbound(enum metric_chan, int intent, int lang);
/* A reply handed to a provider: sent, or failed for good, or retried. */
void	metrics_sent(enum metric_chan);
void	metrics_send_failed(enum metric_chan);
void	metrics_send_retry(enum metric_chan);
/* An inbound message whose id was seen before: answered, not stored. */
void	metrics_duplicate(enum metric_chan);
/* The intent model: in use (1) or not (0, patterns alone); a failed load. */
void	metrics_model(int loaded);
void	metrics_model_load_failed(void);
/* A USSD session began (its first screen was answered). */
void	metrics_ussd_session(void);
/* One HTTP request's time from its first byte to its answer. */
void	metrics_request(double seconds, unsigned status);

struct metrics_snapshot {
	unsigned long long	inbound[MCHAN__COUNT][METRIC_INTENTS]
				    [METRIC_LANGS];
	unsigned long long	sent[MCHAN__COUNT], failed[MCHAN__COUNT],
				retried[MCHAN__COUNT],
				duplicates[MCHAN__COUNT];
	unsigned long long	req_bucket[METRIC_BUCKETS + 1];	/* + Inf */
	double			req_sum;
	unsigned long long	req_count;
	unsigned long long	status_class[6];	/* 1xx..5xx */
	unsigned long long	ussd_sessions;
	int			model_loaded;
	unsigned long long	model_load_failures;
};
extern const double	metric_bucket_le[METRIC_BUCKETS];
void	metrics_snapshot(struct metrics_snapshot *);
#endif
