/*
 * conf.h - murojaat.conf (key = value, # comments), one table of keys.
 * Later sources win: default, file, environment, command line.  Mistakes
 * stop start-up with "file:line: key: reason".  After start-up the config is
 * a const struct conf * handed to each module.  Plumbing: includes nothing
 * else from the project.
 */
#ifndef BOT_CONF_H
#define BOT_CONF_H
#include <stddef.h>

struct conf {
	char	 http_bind[64];
	int	 http_port;
	int	 http_threads;
	int	 http_max_body;		/* bytes */
	int	 http_max_conns;
	int	 http_timeout_s;
	char	 db_path[512];
	char	 intents_dir[512];
	char	 locales_dir[512];
	char	 log_level[16];
	int	 sms_budget;		/* segments per reply */
	int	 status_max_misses;	/* wrong numbers per contact per hour */
	int	 demo_apps;		/* applications generated on first start */
	char	 telegram_token[256];
	char	 telegram_secret[256];
	char	 telegram_api_base[256];
	char	 kannel_sendsms_url[512];
	int	 outbox_rate;		/* messages a second, all chats */
	int	 outbox_chat_interval_ms;	/* between two to one chat */
	int	 outbox_max_attempts;
	int	 outbox_backoff_cap_s;
	int	 outbox_timeout_s;	/* one provider request */
};

/*
 * Fill c with defaults, then the file (NULL: "murojaat.conf" when present,
 * or $MUROJAAT_CONF), then the environment.  data_root is where intents/ and
 * locales/ default to.  On error where holds the message; returns -1.
 */
int	 conf_load(struct conf *c, const char *file, const char *data_root,
	    char *where, size_t wherelen);
/* Set one key from the command line ("key=value"); -1 and where on error. */
int	 conf_set(struct conf *c, const char *kv, char *where, size_t wherelen);
/* Write a commented sample of every key to f (FILE *). */
void	 conf_sample(void *f);
#endif
