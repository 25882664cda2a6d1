/*
 * pg_programmes.h - the PostgreSQL side of programmes.c: each function
 * does what the store_rules_*() of programmes.h of the same name does, on
 * a store opened on a PostgreSQL URL, with the same results and errors.
 * Like those, every call runs inside the caller's store_begin() /
 * store_end().  Only programmes.c includes it.
 */
#ifndef STORE_PG_PROGRAMMES_H
#define STORE_PG_PROGRAMMES_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/programmes.h"

enum mj_err	pg_rules_put(struct store *, const struct prog_def *,
		    int64_t now);
enum mj_err	pg_rules_get(struct store *, const char *code,
		    struct prog_def *out);
enum mj_err	pg_rules_codes(struct store *, char *buf, size_t len);
enum mj_err	pg_rules_general(struct store *, char *buf, size_t len);
enum mj_err	pg_rules_setting_put(struct store *, const struct setting *);
enum mj_err	pg_rules_setting_get(struct store *, const char *key,
		    struct setting *out);
enum mj_err	pg_rules_setting_at(struct store *, int i,
		    struct setting *out);
enum mj_err	pg_rules_office_put(struct store *, const struct office *,
		    const char *spellings);
enum mj_err	pg_rules_office_edit(struct store *, const struct office *);
enum mj_err	pg_rules_office_get(struct store *, const char *district,
		    struct office *out);
enum mj_err	pg_rules_office_in_region(struct store *, const char *region,
		    struct office *out);
enum mj_err	pg_rules_office_at(struct store *, int i, struct office *out);
enum mj_err	pg_rules_aliases(struct store *, char **out);
enum mj_err	pg_rules_phone_district(struct store *, const char *phone,
		    char *region, size_t rlen, char *district, size_t dlen);
#endif
