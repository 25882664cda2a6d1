#!/bin/sh
# Every USSD screen, in every language and with every note, fits one USSD
# page (182 GSM-7 or 80 UCS-2 characters); the menus, questions and status
# screens fit one page without paging.  Run on a throw-away database
# holding the programmes and Inson centres of data/.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$(MUROJAAT_DB="$dir/m.db" MUROJAAT_DEMO_APPS=0 MUROJAAT_LOG_LEVEL=error \
    ./build/san/murojaat ussd-cost 2>&1)
rc=$?
echo "$out" | tail -n 3
if [ $rc -eq 0 ]; then echo "ussd-cost: 1 passed, 0 failed"; else
	echo "$out" | grep -e OVER -e error | head -n 40
	echo "ussd-cost: 0 passed, 1 failed"; fi
exit $rc
