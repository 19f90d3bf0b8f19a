# Section `dns`: `godiag dns` against `getent ahosts` + `dig` run in sequence.
#
# Everything runs in a private mount and network namespace on loopback: dnsmasq on 127.0.0.1
# serves corp.example, and nsswitch.conf, /etc/hosts and resolv.conf are bind-mounted test
# files. Two cases:
#   healthy      every path answers; target: godiag's median wall time <= 50 ms;
#   blackholed   nftables drops every DNS packet on input, so each query waits for its
#                timeout; target: godiag (--deadline 1s) <= deadline + 100 ms, never the sum
#                of the per-server timeouts.
# Both print the ratio to getent ahosts + dig.

install_dns_peers() {
  local need=()
  command -v dig >/dev/null || need+=(dnsutils)
  command -v dnsmasq >/dev/null || [[ -x /usr/sbin/dnsmasq ]] || need+=(dnsmasq-base)
  command -v nft >/dev/null || [[ -x /usr/sbin/nft ]] || need+=(nftables)
  if ((${#need[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

# median_ms RUNS COMMAND...: the median wall time of RUNS runs, in milliseconds.
median_ms() {
  local runs=$1
  shift
  local times=() start end
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }'; }

# Runs inside the namespace; exits 1 when a target is missed.
bench_dns_inside() {
  local godiag=$1 work=$2 dnsmasq missed=0
  dnsmasq=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
  ip link set lo up
  "$dnsmasq" --no-resolv --no-hosts --bind-interfaces --listen-address=127.0.0.1 --user=root \
    --auth-zone=corp.example --auth-server=ns.corp.example --local=/corp.example/ \
    --host-record=git.corp.example,10.8.1.5 --pid-file="$work/dnsmasq.pid" --log-facility=/dev/null
  trap 'kill "$(cat "$work/dnsmasq.pid")" 2>/dev/null || true' EXIT
  printf 'hosts: files dns\n' >"$work/nsswitch.conf"
  printf '127.0.0.1 localhost\n' >"$work/hosts"
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$work/resolv.conf"
  for f in nsswitch.conf hosts resolv.conf; do mount --bind "$work/$f" "/etc/$f"; done

  local peers=(sh -c 'getent ahosts git.corp.example; dig +tries=1 +time=1 @127.0.0.1 git.corp.example')
  local ours theirs
  ours=$(median_ms 15 "$godiag" dns git.corp.example --cgo off --format json)
  theirs=$(median_ms 15 "${peers[@]}")
  printf 'healthy:     godiag dns %4s ms   getent+dig %4s ms   ratio %s   (target <= 50 ms)\n' \
    "$ours" "$theirs" "$(ratio "$ours" "$theirs")"
  ((ours <= 50)) || { echo "  missed: over 50 ms"; missed=1; }

  printf 'nameserver 127.0.0.1\nnameserver 127.0.0.2\noptions timeout:1 attempts:1\n' >"$work/resolv.conf"
  nft add table inet godiagbench
  nft add chain inet godiagbench input '{ type filter hook input priority 0; policy accept; }'
  nft add rule inet godiagbench input udp dport 53 drop
  nft add rule inet godiagbench input tcp dport 53 drop
  local deadline_ms=1000
  ours=$(median_ms 3 "$godiag" dns git.corp.example --cgo off --deadline "${deadline_ms}ms" --format json)
  theirs=$(median_ms 3 "${peers[@]}")
  printf 'blackholed:  godiag dns %4s ms   getent+dig %4s ms   ratio %s   (target <= %s ms)\n' \
    "$ours" "$theirs" "$(ratio "$ours" "$theirs")" "$((deadline_ms + 100))"
  ((ours <= deadline_ms + 100)) || { echo "  missed: over the deadline + 100 ms"; missed=1; }
  return "$missed"
}

install_dns_peers
unshare --mount --net --propagation private \
  bash -c "$(declare -f median_ms ratio bench_dns_inside); bench_dns_inside '$godiag' '$work'"
