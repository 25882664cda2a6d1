/*
 * pg_dash.h - the PostgreSQL side of dash.c: store_hd_stats() of
 * store/helpdesk.h, the same figures, for a store opened on a PostgreSQL
 * URL.  Only dash.c includes it.
 */
#ifndef STORE_PG_DASH_H
#define STORE_PG_DASH_H
#include <stdint.h>

#include "store/helpdesk.h"

enum mj_err	pg_hd_stats(struct store *, enum hd_stat_kind, int64_t from,
		    int64_t to, int (*fn)(void *, const struct hd_stat *),
		    void *arg);
#endif
