#!/bin/sh
# cluster.sh start DIR | stop DIR | url DIR [DB] | createdb DIR DB
# A throwaway PostgreSQL 15 cluster for the tests: initdb in DIR as the
# postgres user, listening on a Unix socket in DIR only (no TCP), trust
# authentication for the local socket.  "start" prints the URL of the
# database "murojaat" on it; "stop" stops it (by the postmaster's own PID
# file, so only this cluster) and removes DIR.
set -eu
bin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -n "$bin" ] || { echo "cluster.sh: PostgreSQL 15 is not installed (apt-get install postgresql-15)" >&2; exit 1; }
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: cluster.sh start|stop|url|createdb DIR [DB]" >&2; exit 2; }
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
url() {
	echo "postgresql:///${1:-murojaat}?host=$dir&user=postgres"
}
case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
	chmod 700 "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
	    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log" >&2; exit 1; }
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=on -c max_connections=200 -c shared_buffers=128MB" \
	    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	as_pg "$bin/createdb" -h "$dir" -U postgres murojaat
	url murojaat
	;;
createdb)
	as_pg "$bin/createdb" -h "$dir" -U postgres "${3:?database name}"
	url "$3"
	;;
url)
	url "${3:-murojaat}"
	;;
restart)
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 restart \
	    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=200 -c shared_buffers=128MB" -l "$dir/server.log" >/dev/null
	;;
pgstop)
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
	;;
pgstart)
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=200 -c shared_buffers=128MB" \
	    start >/dev/null
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: cluster.sh start|stop|url|createdb|restart|pgstop|pgstart DIR [DB]" >&2
	exit 2
	;;
esac
