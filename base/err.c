/* err.c - names for enum mj_err. */
#include "base/err.h"

const char *
mj_strerror(enum mj_err e)
{
	switch (e) {
	case MJ_OK:		return "ok";
	case MJ_ENOMEM:		return "out of memory";
	case MJ_EINPUT:		return "malformed input";
	case MJ_ETOOBIG:	return "over a configured limit";
	case MJ_ENOTFOUND:	return "not found";
	case MJ_EDB:		return "database error";
	case MJ_EUPSTREAM:	return "upstream failure";
	case MJ_ECONFIG:	return "configuration error";
	case MJ_EINTERNAL:	return "internal error";
	}
	return "unknown error";
}
