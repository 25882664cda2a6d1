/*
 * demo.h - the demo applications a new database is filled with: napps
 * applications with fake phones and PINFLs, generated deterministically
 * (the same rows on every machine), in the programmes imported from
 * data/programmes.json (rules_data_seed() first).  Two are fixed for
 * anyone to try:
 *   AR-2025-000001  child allowance, approved   applicant +998901234567
 *   AR-2025-000002  material aid, in review     applicant +998907654321
 */
#ifndef BOT_DEMO_H
#define BOT_DEMO_H
#include "base/err.h"
#include "store/store.h"

/*
 * napps applications in one transaction (none for 0).  MJ_ENOTFOUND when
 * a programme they belong to is not imported (nothing is written).
 */
enum mj_err	demo_fill(struct store *, int napps);
#endif
