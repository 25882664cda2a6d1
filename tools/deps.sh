#!/bin/sh
# deps.sh build|test|bench - install the Debian packages murojaat needs, only
# those missing.  Run as root on Debian 12 (apt-get); otherwise it prints the
# command to run.
set -eu
build="build-essential pkg-config libmicrohttpd-dev libpcre2-dev libsqlite3-dev libpq-dev
libcurl4-openssl-dev liblinear-dev libunistring-dev libjansson-dev libsodium-dev libgettextpo-dev
ca-certificates"
test="$build python3 python3-psycopg2 curl sqlite3 postgresql-15 kannel kannel-extras nginx openssl chromium nodejs clang libclang-rt-14-dev"
bench="$test wrk"
case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: deps.sh build|test|bench" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
	    missing="$missing $p"
done
# npm: Debian's own package, unless the installed nodejs already brings it.
case " $want " in *" nodejs "*)
	command -v npm >/dev/null 2>&1 || missing="$missing npm" ;;
esac
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing packages:$missing" >&2
	echo "run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Debian's kannel and nginx packages would start their own services; the tests run their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
