#!/bin/sh
# check.sh - check the deployment examples: systemd-analyze verify the unit
# and nginx -t the proxy config with a self-signed certificate, both in a
# temporary folder.  Skips a tool that is not installed (says so).
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify wants the ExecStart binary and the credential sources to exist
	mkdir -p "$tmp/bin" "$tmp/etc/secrets"
	printf '#!/bin/sh\n' > "$tmp/bin/murojaat" && chmod 755 "$tmp/bin/murojaat"
	# the single node's unit, and one instance of the several nodes' one
	for pair in "murojaat.service murojaat.service" "murojaat@.service murojaat@1.service"; do
		src=${pair% *}
		unit=${pair#* }
		sed -e "s#/usr/local/bin/murojaat#$tmp/bin/murojaat#" \
		    -e "s#/etc/murojaat/secrets/#$tmp/etc/secrets/#" \
		    "$here/$src" > "$tmp/$unit"
		# Unknown keys are only warnings to verify: any line about the
		# unit fails.
		out=$(systemd-analyze verify "$tmp/$unit" 2>&1)
		vrc=$?
		out=$(printf '%s\n' "$out" | grep -F "$unit")
		if [ $vrc -eq 0 ] && [ -z "$out" ]; then
			echo "$src: ok"
		else
			printf '%s\n' "$out"
			echo "$src: FAILED"
			rc=1
		fi
	done
else
	echo "murojaat.service: systemd-analyze not installed, not checked"
fi
if command -v nginx >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=bot.example.uz \
	    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
	for conf in nginx-murojaat.conf nginx-two-nodes.conf; do
		sed -e "s#/etc/letsencrypt/live/bot.example.uz/fullchain.pem#$tmp/cert.pem#" \
		    -e "s#/etc/letsencrypt/live/bot.example.uz/privkey.pem#$tmp/key.pem#" \
		    "$here/$conf" > "$tmp/murojaat.conf"
		cat > "$tmp/nginx.conf" <<EOT
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
	access_log off;
	client_body_temp_path $tmp/body;
	proxy_temp_path $tmp/proxy;
	include $tmp/murojaat.conf;
}
EOT
		if nginx -t -q -e "$tmp/error.log" -p "$tmp" -c "$tmp/nginx.conf"; then
			echo "$conf: ok"
		else
			echo "$conf: FAILED"
			rc=1
		fi
	done
else
	echo "nginx-murojaat.conf: nginx or openssl not installed, not checked"
fi
exit $rc
