/*
 * conf.h - murojaat.conf (key = value, # comments), one table of keys.
 * Later sources win: default, file, environment, command line.  Mistakes
 * stop start-up with "file:line: key: reason".  After start-up the config is
 * a const struct conf * handed to each module.  Plumbing: includes nothing
 * else from the project.
 */
#ifndef BASE_CONF_H
#define BASE_CONF_H
#include <stddef.h>

struct conf {
	char	 http_bind[64];
	char	 http_trusted_proxies[1024]; /* proxies: gateway/clientaddr.h */
	int	 http_port;
	int	 http_threads;
	int	 http_max_body;		/* bytes */
	int	 http_max_conns;
	int	 http_timeout_s;
	int	 http_request_timeout_s;	/* to send one request */
	int	 http_rate_per_ip;	/* requests a second, 0: off */
	int	 http_rate_burst;
	int	 http_rate_loopback;	/* 1: loopback is exempt */
	int	 http_conn_per_ip;	/* connections open per address, 0: off */
	char	 db_path[512];
	char	 db_url[1024];	/* "": SQLite at db_path; else PostgreSQL */
	char	 share_dir[512];	/* "": found by the caller (data_root) */
	char	 intents_dir[512];
	char	 locales_dir[512];
	char	 data_dir[512];		/* eligibility seed data */
	char	 nlu_model[512];	/* "": see conf_model_path() */
	int	 nlu_threshold;		/* percent */
	int	 elig_idle_s;		/* eligibility dialogue expiry */
	char	 log_level[16];
	int	 sms_budget;		/* segments per reply */
	int	 status_max_misses;	/* wrong numbers per contact per hour */
	int	 demo_apps;		/* applications generated on first start */
	char	 telegram_token[256];
	char	 telegram_secret[256];
	char	 telegram_api_base[256];
	char	 kannel_sendsms_url[512];
	char	 kannel_token[256];	/* Kannel's calls carry it, "": none */
	int	 rate_per_minute;	/* messages a sender may send */
	int	 rate_per_day;
	char	 sms_quiet_hours[32];	/* "22:00-08:00" Tashkent, "" off */
	char	 sms_provider[16];	/* kannel, aggregator or file */
	char	 sms_file[512];		/* file: where, "": beside db_path */
	char	 public_url[512];	/* how providers reach us */
	char	 registry_token[256];	/* PUT /api/applications bearer */
	char	 agg_send_url[512];
	char	 agg_token[256];
	char	 agg_secret[256];	/* HMAC key of inbound calls */
	char	 agg_sig_header[64];
	char	 agg_from[64];		/* inbound JSON field names */
	char	 agg_text[64];
	char	 agg_id[64];
	char	 agg_body[1024];	/* outbound JSON template */
	char	 agg_dlr_id[64];	/* delivery report JSON fields */
	char	 agg_dlr_status[64];
	int	 agg_dedupe_s;		/* id-less inbound: same body = replay */
	int	 outbox_rate;		/* messages a second, all chats */
	int	 outbox_chat_interval_ms;	/* between two to one chat */
	int	 outbox_lease_s;	/* PostgreSQL: a claimed row's owner */
	int	 outbox_max_attempts;
	int	 outbox_backoff_cap_s;
	int	 outbox_timeout_s;	/* one provider request */
	int	 auth_session_ttl_s;	/* help-desk session lifetime */
	int	 auth_login_max;	/* failed logins per account per window */
	int	 auth_login_window_s;
	int	 auth_login_account_max; /* failures per account, all clients */
	int	 auth_login_account_window_s;
	int	 auth_login_account_delay_s; /* the longest per-account delay */
	int	 helpdesk_hold_s;	/* a takeover silences the bot this long */
	int	 helpdesk_search_per_minute; /* per staff account; 0: no limit */
	int	 helpdesk_secure_cookie; /* 1, 0, -1: if public_url is https */
	int	 helpdesk_readers;	/* read connections for the help desk */
	int	 helpdesk_query_ms;	/* a help-desk read's time limit */
	char	 web_dir[512];		/* the help desk's static files */
	char	 lang_cyrl_default[12];	/* uz-Cyrl or ru: a Cyrillic message
					 * whose words do not decide */
	int	 nlu_review_below;	/* percent: the help desk reviews what
					 * the model was less sure of */
	char	 nlu_corpus_dir[512];	/* the shipped training corpus */
	int	 ussd_session_ttl_s;	/* a USSD session is forgotten after */
	char	 ussd_token[256];	/* USSD providers' calls carry it */
};

/*
 * Fill c with defaults, then the file (NULL: "murojaat.conf" when present,
 * or $MUROJAAT_CONF), then the environment.  data_root is where intents/,
 * locales/, data/ and gateway/web default to, unless share.dir says.  On error where holds the message; returns -1.
 */
int	 conf_load(struct conf *c, const char *file, const char *data_root,
	    char *where, size_t wherelen);
/* Set one key from the command line ("key=value"); -1 and where on error. */
int	 conf_set(struct conf *c, const char *kv, char *where, size_t wherelen);
/* What the store opens: db.url when set, else db.path. */
const char *conf_store(const struct conf *c);
/*
 * The store named for a person: db.path, or "PostgreSQL (db.url)" - a URL
 * may hold a password, so it is never printed.
 */
const char *conf_store_name(const struct conf *c);
/* Write a commented sample of every key to f (FILE *). */
void	 conf_sample(void *f);
#endif
