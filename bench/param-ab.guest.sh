# Guest side of bench/param-ab (busybox sh, node 0, cwd /mnt/host). Needs
# PARAM_FILE, VALUES, ROUNDS, PAGES; after lib.guest.sh.
[ -w "$PARAM_FILE" ] || { echo "no writable $PARAM_FILE"; exit 1; }
old=$(cat "$PARAM_FILE")
r=1 port=21000
while [ "$r" -le "$ROUNDS" ]; do
	for v in $VALUES; do
		echo "$v" >"$PARAM_FILE" && vc-exec 1 "echo $v >$PARAM_FILE" ||
			{ echo "cannot set $PARAM_FILE to $v"; exit 1; }
		./pcn_faultbench read --pages "$PAGES" >/tmp/fb.out 2>&1 ||
			{ cat /tmp/fb.out; exit 1; }
		awk -F, -v v="$v" '$1 == "sample" { print "s," v "," $4 }' /tmp/fb.out >>$raw
	done
	port=$((port + 1))
	if [ -n "$rdev" ]; then
		b=$(perftest ib_read_lat 4096 $port)
	else
		b=$(sockperf_mp 4096 $port | cut -d' ' -f1)
	fi
	[ -n "$b" ] && echo "s,base,$b" >>$raw
	r=$((r + 1))
done
echo "$old" >"$PARAM_FILE"
vc-exec 1 "echo $old >$PARAM_FILE"
base=$(med base)
echo "$PARAM_FILE, $ROUNDS rounds of $PAGES read faults per value; yardstick $( [ -n "$rdev" ] && echo ib_read_lat || echo 'TCP ping-pong') 4 KiB median ${base:-n/a} us"
for v in $VALUES; do
	m=$(med "$v")
	echo "  $v: read fault median $m us, ratio $(ratio "$m" "$base")"
	echo "ab,$v,$m,$(ratio "$m" "$base")"
done
