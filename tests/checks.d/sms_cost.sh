#!/bin/sh
# Every SMS catalogue message, in every language, fits the segment budget.
out=$(./build/san/murojaat sms-cost 2>&1)
rc=$?
echo "$out" | tail -n 5
if [ $rc -eq 0 ]; then echo "sms-cost: 1 passed, 0 failed"; else
	echo "$out" | grep -i over; echo "sms-cost: 0 passed, 1 failed"; fi
exit $rc
