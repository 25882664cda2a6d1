/* conf.c - the table of every configuration key, and its parser. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/conf.h"

enum ktype { K_INT, K_STR, K_SECRET };

struct key {
	const char	*name;
	const char	*env;
	enum ktype	 type;
	size_t		 off;
	size_t		 size;		/* K_STR: buffer size */
	long		 min, max;	/* K_INT */
	const char	*def;
	const char	*help;
};

#define S(f)	offsetof(struct conf, f), sizeof(((struct conf *)0)->f)
#define I(f)	offsetof(struct conf, f), 0

static const struct key keys[] = {
	{ "http.bind", "MUROJAAT_BIND", K_STR, S(http_bind), 0, 0,
	  "127.0.0.1", "address to listen on" },
	{ "http.port", "MUROJAAT_PORT", K_INT, I(http_port), 1, 65535,
	  "8080", "TCP port" },
	{ "http.threads", "MUROJAAT_HTTP_THREADS", K_INT, I(http_threads), 1, 64,
	  "2", "worker threads of the HTTP server" },
	{ "http.max_body", "MUROJAAT_HTTP_MAX_BODY", K_INT, I(http_max_body),
	  1024, 16777216, "65536", "largest request body accepted, bytes" },
	{ "http.max_conns", "MUROJAAT_HTTP_MAX_CONNS", K_INT, I(http_max_conns),
	  4, 100000, "1000", "simultaneous connections" },
	{ "http.timeout", "MUROJAAT_HTTP_TIMEOUT", K_INT, I(http_timeout_s),
	  1, 3600, "15", "idle connection timeout, seconds" },
	{ "http.request_timeout", "MUROJAAT_HTTP_REQUEST_TIMEOUT", K_INT,
	  I(http_request_timeout_s), 1, 3600, "30",
	  "longest a client may take to send one request, head and body, "
	  "seconds (slow clients are cut)" },
	{ "http.rate_per_ip", "MUROJAAT_HTTP_RATE_PER_IP", K_INT,
	  I(http_rate_per_ip), 0, 1000000, "200",
	  "requests a second from one address (IPv6: one /64), then 429; 0: "
	  "no limit" },
	{ "http.rate_burst", "MUROJAAT_HTTP_RATE_BURST", K_INT,
	  I(http_rate_burst), 1, 1000000, "400",
	  "requests one address may send at once before the rate applies" },
	{ "http.trusted_proxies", "MUROJAAT_HTTP_TRUSTED_PROXIES", K_STR,
	  S(http_trusted_proxies), 0, 0, "",
	  "reverse proxies (addresses or CIDRs, IPv4 or IPv6, comma- or "
	  "space-separated) whose X-Real-IP / X-Forwarded-For name the "
	  "client; from any other peer the peer is the client" },
	{ "http.rate_exempt_loopback", "MUROJAAT_HTTP_RATE_EXEMPT_LOOPBACK",
	  K_INT, I(http_rate_loopback), 0, 1, "1",
	  "1: no rate limit for 127.0.0.0/8 and ::1 (a reverse proxy there "
	  "limits per client itself); the same for http.conn_per_ip" },
	{ "http.conn_per_ip", "MUROJAAT_HTTP_CONN_PER_IP", K_INT,
	  I(http_conn_per_ip), 0, 100000, "64",
	  "connections one address (IPv6: one /64) may hold open at once; "
	  "more are closed when accepted; 0: no cap" },
	{ "db.path", "MUROJAAT_DB", K_STR, S(db_path), 0, 0,
	  "var/murojaat.db", "SQLite database file (created when missing)" },
	{ "db.url", "MUROJAAT_DB_URL", K_SECRET, S(db_url), 0, 0, "",
	  "PostgreSQL instead of SQLite: postgresql://user@host1,host2/db?"
	  "target_session_attrs=read-write or a libpq conninfo; several "
	  "nodes may share one database; empty: SQLite at db.path" },
	{ "share.dir", "MUROJAAT_SHARE_DIR", K_STR, S(share_dir), 0, 0, "",
	  "the folder holding intents/, locales/, data/ and gateway/web "
	  "(default: ../share/murojaat beside the program after make install, "
	  "else the source tree the program is in)" },
	{ "intents.dir", "MUROJAAT_INTENTS_DIR", K_STR, S(intents_dir), 0, 0,
	  "", "intent pattern files (default: intents/patterns beside the program)" },
	{ "locales.dir", "MUROJAAT_LOCALES_DIR", K_STR, S(locales_dir), 0, 0,
	  "", "message catalogues (default: locales beside the program)" },
	{ "data.dir", "MUROJAAT_DATA_DIR", K_STR, S(data_dir), 0, 0,
	  "", "programmes.json and offices.tsv a new database is seeded with "
	  "(default: data beside the program)" },
	{ "nlu.model", "MUROJAAT_NLU_MODEL", K_STR, S(nlu_model), 0, 0, "",
	  "the trained intent model (default: model.bin beside the database "
	  "when the help desk trained one, else intents/model.bin beside the "
	  "program); reloaded on SIGHUP or when the file changes" },
	{ "nlu.threshold", "MUROJAAT_NLU_THRESHOLD", K_INT, I(nlu_threshold),
	  0, 100, "35",
	  "percent: a message the model is less sure of is not understood "
	  "(make eval shows accuracy and coverage at each threshold)" },
	{ "eligibility.idle_timeout", "MUROJAAT_ELIGIBILITY_IDLE_TIMEOUT",
	  K_INT, I(elig_idle_s), 1, 604800, "1800",
	  "an unanswered eligibility question is forgotten after this, seconds" },
	{ "log.level", "MUROJAAT_LOG_LEVEL", K_STR, S(log_level), 0, 0,
	  "info", "debug, info, warn or error" },
	{ "sms.budget", "MUROJAAT_SMS_BUDGET", K_INT, I(sms_budget), 1, 10,
	  "2", "SMS segments a reply may use" },
	{ "status.max_misses", "MUROJAAT_STATUS_MAX_MISSES", K_INT,
	  I(status_max_misses), 1, 1000, "5",
	  "unknown or not-own application numbers a contact may try per hour" },
	{ "demo.applications", "MUROJAAT_DEMO_APPS", K_INT, I(demo_apps), 0,
	  10000000, "100000", "demo applications created with a new database" },
	{ "telegram.token", "MUROJAAT_TELEGRAM_TOKEN", K_SECRET,
	  S(telegram_token), 0, 0, "", "Bot API token (or telegram.token_file)" },
	{ "telegram.secret", "MUROJAAT_TELEGRAM_SECRET", K_SECRET,
	  S(telegram_secret), 0, 0, "", "webhook secret token" },
	{ "telegram.api_base", "MUROJAAT_TELEGRAM_API_BASE", K_STR,
	  S(telegram_api_base), 0, 0, "https://api.telegram.org",
	  "Bot API base URL" },
	{ "kannel.sendsms_url", "MUROJAAT_KANNEL_SENDSMS_URL", K_SECRET,
	  S(kannel_sendsms_url), 0, 0, "",
	  "Kannel sendsms URL with credentials" },
	{ "kannel.token", "MUROJAAT_KANNEL_TOKEN", K_SECRET, S(kannel_token), 0,
	  0, "", "the token Kannel's get-url and dlr-url carry (token=...) or "
	  "its basic-auth password; when set, /sms/kannel and /sms/dlr "
	  "refuse calls without it (401)" },
	{ "ussd.session_ttl", "MUROJAAT_USSD_SESSION_TTL", K_INT,
	  I(ussd_session_ttl_s), 1, 86400, "180",
	  "a USSD session not heard of for this long is forgotten (the next "
	  "request starts at the first screen), seconds" },
	{ "ussd.token", "MUROJAAT_USSD_TOKEN", K_SECRET, S(ussd_token), 0, 0,
	  "", "the token USSD gateways' callback URLs carry (?token=...); "
	  "when set, /ussd/ refuses calls without it (401)" },
	{ "rate.per_minute", "MUROJAAT_RATE_PER_MINUTE", K_INT,
	  I(rate_per_minute), 1, 100000, "10",
	  "messages one sender may send a minute before the bot goes quiet" },
	{ "rate.per_day", "MUROJAAT_RATE_PER_DAY", K_INT, I(rate_per_day), 1,
	  1000000, "100", "messages one sender may send a day" },
	{ "sms.quiet_hours", "MUROJAAT_SMS_QUIET_HOURS", K_STR,
	  S(sms_quiet_hours), 0, 0, "22:00-08:00",
	  "no notices by SMS in these Tashkent hours (empty: none)" },
	{ "sms.provider", "MUROJAAT_SMS_PROVIDER", K_STR, S(sms_provider), 0, 0,
	  "kannel", "who sends SMS not answered in a webhook: kannel, "
	  "aggregator, or file (written to sms.file, sent to nobody: for "
	  "trying the service out; serve --demo takes it when the provider "
	  "named here is not configured)" },
	{ "sms.file", "MUROJAAT_SMS_FILE", K_STR, S(sms_file), 0, 0, "",
	  "the file provider's file: one line per SMS (time, recipient, "
	  "segments, text), created mode 600 (default: outbox-sms.log beside "
	  "the database)" },
	{ "http.public_url", "MUROJAAT_PUBLIC_URL", K_STR, S(public_url), 0, 0,
	  "", "this service as Kannel and aggregators reach it, for delivery "
	  "reports (default http://BIND:PORT)" },
	{ "registry.token", "MUROJAAT_REGISTRY_TOKEN", K_SECRET,
	  S(registry_token), 0, 0, "",
	  "bearer token of PUT /api/applications/{number}" },
	{ "aggregator.send_url", "MUROJAAT_AGGREGATOR_SEND_URL", K_STR,
	  S(agg_send_url), 0, 0, "", "the aggregator's send API" },
	{ "aggregator.token", "MUROJAAT_AGGREGATOR_TOKEN", K_SECRET,
	  S(agg_token), 0, 0, "", "bearer token for the send API" },
	{ "aggregator.secret", "MUROJAAT_AGGREGATOR_SECRET", K_SECRET,
	  S(agg_secret), 0, 0, "",
	  "HMAC-SHA256 key the aggregator signs inbound calls with" },
	{ "aggregator.signature_header", "MUROJAAT_AGGREGATOR_SIGNATURE_HEADER",
	  K_STR, S(agg_sig_header), 0, 0, "X-Signature",
	  "header holding the hex HMAC-SHA256 of the body" },
	{ "aggregator.from_field", "MUROJAAT_AGGREGATOR_FROM_FIELD", K_STR,
	  S(agg_from), 0, 0, "from", "inbound JSON: sender (a.b for nested)" },
	{ "aggregator.text_field", "MUROJAAT_AGGREGATOR_TEXT_FIELD", K_STR,
	  S(agg_text), 0, 0, "text", "inbound JSON: message text" },
	{ "aggregator.id_field", "MUROJAAT_AGGREGATOR_ID_FIELD", K_STR,
	  S(agg_id), 0, 0, "id", "inbound JSON: the aggregator's message id" },
	{ "aggregator.body", "MUROJAAT_AGGREGATOR_BODY", K_STR, S(agg_body), 0,
	  0, "{\"to\":\"{to}\",\"text\":\"{text}\",\"id\":\"{id}\","
	  "\"callback_url\":\"{callback}\"}",
	  "outbound JSON; {to} {text} {id} {callback} are filled in, JSON-escaped" },
	{ "aggregator.dlr_id_field", "MUROJAAT_AGGREGATOR_DLR_ID_FIELD", K_STR,
	  S(agg_dlr_id), 0, 0, "id", "delivery report JSON: our message id" },
	{ "aggregator.dlr_status_field", "MUROJAAT_AGGREGATOR_DLR_STATUS_FIELD",
	  K_STR, S(agg_dlr_status), 0, 0, "status",
	  "delivery report JSON: delivered, failed, ..." },
	{ "aggregator.dedupe_window", "MUROJAAT_AGGREGATOR_DEDUPE_WINDOW",
	  K_INT, I(agg_dedupe_s), 0, 86400, "600",
	  "an inbound call without a message id whose body repeats one of this "
	  "many seconds before is a re-delivery (answered, not stored again); "
	  "0: off" },
	{ "outbox.rate", "MUROJAAT_OUTBOX_RATE", K_INT, I(outbox_rate), 1,
	  100000, "30", "messages the sender sends a second, all chats" },
	{ "outbox.chat_interval_ms", "MUROJAAT_OUTBOX_CHAT_INTERVAL_MS", K_INT,
	  I(outbox_chat_interval_ms), 0, 600000, "1000",
	  "least time between two messages to one chat, ms" },
	{ "outbox.lease_s", "MUROJAAT_OUTBOX_LEASE_S", K_INT,
	  I(outbox_lease_s), 5, 3600, "60",
	  "on PostgreSQL, how long a node owns an outbox row it is sending; "
	  "another node takes it over after that, seconds" },
	{ "outbox.max_attempts", "MUROJAAT_OUTBOX_MAX_ATTEMPTS", K_INT,
	  I(outbox_max_attempts), 1, 1000, "30",
	  "failed tries before a message is marked failed" },
	{ "outbox.backoff_cap", "MUROJAAT_OUTBOX_BACKOFF_CAP", K_INT,
	  I(outbox_backoff_cap_s), 1, 86400, "600",
	  "longest wait between two tries, seconds" },
	{ "outbox.timeout", "MUROJAAT_OUTBOX_TIMEOUT", K_INT,
	  I(outbox_timeout_s), 1, 600, "30",
	  "one request to a provider, seconds" },
	{ "auth.session_ttl", "MUROJAAT_AUTH_SESSION_TTL", K_INT,
	  I(auth_session_ttl_s), 60, 2592000, "28800",
	  "a help-desk login lasts this long, seconds" },
	{ "auth.login_max", "MUROJAAT_AUTH_LOGIN_MAX", K_INT, I(auth_login_max),
	  1, 1000, "5", "failed logins per account from one client in "
	  "auth.login_window (four times as many per client over all "
	  "accounts) before that client's logins are refused" },
	{ "auth.login_window", "MUROJAAT_AUTH_LOGIN_WINDOW", K_INT,
	  I(auth_login_window_s), 1, 86400, "900",
	  "the login throttling window, seconds" },
	{ "auth.login_account_max", "MUROJAAT_AUTH_LOGIN_ACCOUNT_MAX", K_INT,
	  I(auth_login_account_max), 1, 100000, "20",
	  "failed logins per account from all clients in "
	  "auth.login_account_window; past it each try waits a delay that "
	  "doubles with each failure (2 s, 4 s, ...) up to "
	  "auth.login_account_delay, so nobody can lock the owner out" },
	{ "auth.login_account_window", "MUROJAAT_AUTH_LOGIN_ACCOUNT_WINDOW",
	  K_INT, I(auth_login_account_window_s), 1, 604800, "3600",
	  "the per-account throttling window, seconds" },
	{ "auth.login_account_delay", "MUROJAAT_AUTH_LOGIN_ACCOUNT_DELAY",
	  K_INT, I(auth_login_account_delay_s), 1, 3600, "60",
	  "the longest per-account delay between two tries, seconds" },
	{ "helpdesk.secure_cookie", "MUROJAAT_HELPDESK_SECURE_COOKIE", K_INT,
	  I(helpdesk_secure_cookie), -1, 1, "-1",
	  "1: the session cookie is sent only over HTTPS (Secure); 0: not; "
	  "-1: when http.public_url is https://" },
	{ "helpdesk.hold", "MUROJAAT_HELPDESK_HOLD", K_INT, I(helpdesk_hold_s),
	  1, 604800, "1800", "a conversation taken by an agent keeps the bot "
	  "silent this long (renewed by each reply), seconds" },
	{ "helpdesk.readers", "MUROJAAT_HELPDESK_READERS", K_INT,
	  I(helpdesk_readers), 0, 16, "2", "read connections for the help "
	  "desk's listings, searches and statistics, beside the webhooks' "
	  "writer (0: they share the writer's)" },
	{ "helpdesk.query_ms", "MUROJAAT_HELPDESK_QUERY_MS", K_INT,
	  I(helpdesk_query_ms), 0, 600000, "3000", "a help-desk listing, "
	  "search or statistic stops after this long, milliseconds "
	  "(0: no limit)" },
	{ "helpdesk.search_per_minute", "MUROJAAT_HELPDESK_SEARCH_PER_MINUTE",
	  K_INT, I(helpdesk_search_per_minute), 0, 100000, "30",
	  "searches one staff account may run a minute (0: no limit); more "
	  "are refused with 429 and Retry-After" },
	{ "web.dir", "MUROJAAT_WEB_DIR", K_STR, S(web_dir), 0, 0, "",
	  "help-desk static files (default: gateway/web beside the program)" },
	{ "lang.cyrillic_default", "MUROJAAT_LANG_CYRILLIC_DEFAULT", K_STR,
	  S(lang_cyrl_default), 0, 0, "uz-Cyrl",
	  "uz-Cyrl or ru: the reply's language for a message in Cyrillic whose "
	  "words say neither (\"СТОП\", \"Хива\") from a contact who never "
	  "wrote either" },
	{ "nlu.review_below", "MUROJAAT_NLU_REVIEW_BELOW", K_INT,
	  I(nlu_review_below), 0, 100, "60",
	  "percent: a message the model understood less surely than this is "
	  "listed in the help desk for an agent to label, like one it did not "
	  "understand (0: only those)" },
	{ "nlu.corpus_dir", "MUROJAAT_NLU_CORPUS_DIR", K_STR, S(nlu_corpus_dir),
	  0, 0, "", "the labelled messages a retraining from the help desk "
	  "starts from, *.tsv (default: data/corpus beside the program)" },
};

/* String keys that take one of a few values. */
static const struct {
	const char	*key;
	const char	*vals[4];	/* NULL-terminated */
} choices[] = {
	{ "lang.cyrillic_default", { "uz-Cyrl", "ru", NULL } },
	{ "sms.provider", { "kannel", "aggregator", "file", NULL } },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static const struct key *
find_key(const char *name, size_t n)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == n &&
		    strncmp(keys[i].name, name, n) == 0)
			return &keys[i];
	return NULL;
}

/* Read a secret from a file only the service can read. */
static int
read_secret_file(const char *path, char *dst, size_t size, char *err,
    size_t errlen)
{
	struct stat	 sb;
	FILE		*f;
	size_t		 n;

	if (stat(path, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "%s: readable by group or others; "
		    "chmod 600 it", path);
		return -1;
	}
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(dst, 1, size - 1, f);
	fclose(f);
	dst[n] = '\0';
	dst[strcspn(dst, "\r\n")] = '\0';
	return 0;
}

/* Whether v is a value k may take; if not, err says which it may. */
static int
one_of(const struct key *k, const char *v, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
		size_t	o;

		if (strcmp(choices[i].key, k->name) != 0)
			continue;
		for (size_t j = 0; choices[i].vals[j] != NULL; j++)
			if (strcmp(choices[i].vals[j], v) == 0)
				return 1;
		o = (size_t)snprintf(err, errlen, "%s: \"%s\" is not one of",
		    k->name, v);
		for (size_t j = 0; choices[i].vals[j] != NULL && o < errlen;
		    j++)
			o += (size_t)snprintf(err + o, errlen - o, "%s %s",
			    j > 0 ? "," : "", choices[i].vals[j]);
		return 0;
	}
	return 1;
}

static int
set_value(struct conf *c, const struct key *k, const char *v, char *err,
    size_t errlen)
{
	char	*end;
	long	 n;

	if (k->type == K_INT) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0) {
			snprintf(err, errlen, "%s: \"%s\" is not a whole number",
			    k->name, v);
			return -1;
		}
		if (n < k->min || n > k->max) {
			snprintf(err, errlen, "%s: %ld is outside %ld..%ld",
			    k->name, n, k->min, k->max);
			return -1;
		}
		*(int *)(void *)((char *)c + k->off) = (int)n;
		return 0;
	}
	if (strlen(v) >= k->size) {
		snprintf(err, errlen, "%s: value longer than %zu bytes",
		    k->name, k->size - 1);
		return -1;
	}
	if (!one_of(k, v, err, errlen))
		return -1;
	memcpy((char *)c + k->off, v, strlen(v) + 1);
	return 0;
}

/* "key = value", or "key_file = path" for secrets. */
static int
set_pair(struct conf *c, const char *name, size_t nlen, const char *v,
    char *err, size_t errlen)
{
	const struct key	*k;

	if ((k = find_key(name, nlen)) != NULL)
		return set_value(c, k, v, err, errlen);
	if (nlen > 5 && strncmp(name + nlen - 5, "_file", 5) == 0 &&
	    (k = find_key(name, nlen - 5)) != NULL && k->type == K_SECRET)
		return read_secret_file(v, (char *)c + k->off, k->size, err,
		    errlen);
	snprintf(err, errlen, "%.*s: unknown key", (int)nlen, name);
	return -1;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
load_file(struct conf *c, const char *path, int must, char *where,
    size_t wherelen)
{
	FILE	*f;
	char	 line[1024], err[600];
	int	 lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (!must && errno == ENOENT)
			return 0;
		snprintf(where, wherelen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char	*s, *eq, *name;

		lineno++;
		s = trim(line);
		if (*s == '#' || *s == '\0')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			snprintf(where, wherelen, "%s:%d: expected key = value",
			    path, lineno);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		name = trim(s);
		if (set_pair(c, name, strlen(name), trim(eq + 1), err,
		    sizeof(err)) == -1) {
			snprintf(where, wherelen, "%s:%d: %s", path, lineno, err);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* A folder not set: sub under root.  -1 when that does not fit. */
static int
under(char *dir, size_t size, const char *root, const char *sub)
{
	int	n;

	if (dir[0] != '\0')
		return 0;
	n = snprintf(dir, size, "%s/%s", root, sub);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
conf_load(struct conf *c, const char *file, const char *data_root,
    char *where, size_t wherelen)
{
	char	 err[600];
	const char *env;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++)
		if (set_value(c, &keys[i], keys[i].def, err, sizeof(err)) == -1) {
			snprintf(where, wherelen, "default: %s", err);
			return -1;
		}
	if (file == NULL && (env = getenv("MUROJAAT_CONF")) != NULL &&
	    *env != '\0')
		file = env;
	if (load_file(c, file != NULL ? file : "murojaat.conf", file != NULL,
	    where, wherelen) == -1)
		return -1;
	for (size_t i = 0; i < NKEYS; i++) {
		char	 fenv[96];

		if ((env = getenv(keys[i].env)) != NULL) {
			if (set_value(c, &keys[i], env, err, sizeof(err)) == -1) {
				snprintf(where, wherelen, "environment %s: %s",
				    keys[i].env, err);
				return -1;
			}
		}
		snprintf(fenv, sizeof(fenv), "%s_FILE", keys[i].env);
		if (keys[i].type == K_SECRET && (env = getenv(fenv)) != NULL &&
		    read_secret_file(env, (char *)c + keys[i].off, keys[i].size,
		    err, sizeof(err)) == -1) {
			snprintf(where, wherelen, "environment %s: %s", fenv, err);
			return -1;
		}
	}
	if (c->public_url[0] == '\0')
		snprintf(c->public_url, sizeof(c->public_url), "http://%s:%d",
		    c->http_bind, c->http_port);
	if (c->share_dir[0] != '\0')
		data_root = c->share_dir;
	if (under(c->web_dir, sizeof(c->web_dir), data_root, "gateway/web") ||
	    under(c->intents_dir, sizeof(c->intents_dir), data_root,
	    "intents/patterns") ||
	    under(c->locales_dir, sizeof(c->locales_dir), data_root,
	    "locales") ||
	    under(c->data_dir, sizeof(c->data_dir), data_root, "data") ||
	    under(c->nlu_corpus_dir, sizeof(c->nlu_corpus_dir), data_root,
	    "data/corpus")) {
		snprintf(where, wherelen, "share.dir: \"%.200s...\" is too "
		    "long a path", data_root);
		return -1;
	}
	return 0;
}

int
conf_set(struct conf *c, const char *kv, char *where, size_t wherelen)
{
	const char	*eq = strchr(kv, '=');

	if (eq == NULL) {
		snprintf(where, wherelen, "%s: expected key=value", kv);
		return -1;
	}
	return set_pair(c, kv, (size_t)(eq - kv), eq + 1, where, wherelen);
}

void
conf_sample(void *fp)
{
	FILE	*f = fp;

	fprintf(f, "# murojaat.conf - every key, with its default.\n"
	    "# Each key can be overridden by the environment variable named.\n"
	    "# Secrets: use KEY_file = /path (mode 600) or the environment.\n\n");
	for (size_t i = 0; i < NKEYS; i++)
		fprintf(f, "# %s (%s)\n%s%s = %s\n\n", keys[i].help, keys[i].env,
		    keys[i].type == K_SECRET ? "# " : "", keys[i].name,
		    keys[i].def);
}

const char *
conf_store(const struct conf *c)
{
	return c->db_url[0] != '\0' ? c->db_url : c->db_path;
}

const char *
conf_store_name(const struct conf *c)
{
	return c->db_url[0] != '\0' ? "PostgreSQL (db.url)" : c->db_path;
}
