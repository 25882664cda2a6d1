/*
 * demo.h - the demo data a new database is filled with: the programmes with
 * their public facts, and napps applications with fake phones and PINFLs,
 * generated deterministically (the same rows on every machine).  Two are
 * fixed for anyone to try:
 *   AR-2025-000001  child allowance, approved   applicant +998901234567
 *   AR-2025-000002  material aid, in review     applicant +998907654321
 */
#ifndef BOT_DEMO_H
#define BOT_DEMO_H
#include "base/err.h"
#include "store/store.h"

/* Seed the programmes (idempotent) inside one transaction. */
enum mj_err	demo_programmes(struct store *);
/* Programmes, then napps applications, in one transaction. */
enum mj_err	demo_fill(struct store *, int napps);
#endif
