# Section `metrics`: `godiag metrics FILE` vs `promtool check metrics < FILE` on generated
# expositions of 1,000,000 and 4,000,000 series (about 112 MB and 450 MB, written to the
# scratch directory and deleted after use); median wall time and peak RSS of RUNS runs
# (default 3). Targets (issue #15): >= 25x faster wall and <= 1/10 of promtool's peak
# memory at both sizes.

RUNS="${RUNS:-3}"
WORK="$work"

log() { printf '\n== %s\n' "$*" >&2; }

need() {
  local missing=()
  [[ -x /usr/bin/time ]] || missing+=(time)
  command -v promtool >/dev/null || missing+=(prometheus)
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Runs "$@" once under /usr/bin/time -v; prints "WALL_SECONDS MAX_RSS_KB".
measure() {
  local report="$WORK/time.txt"
  /usr/bin/time -v -o "$report" "$@" >/dev/null 2>"$WORK/stderr.txt" || true
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.3f %d\n", wall, rss }' "$report"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# An exposition of N series (sample lines), about 112 bytes each as in issue #15:
# counters with four labels, gauges, histograms with the client_golang default buckets,
# summaries; HELP and TYPE for every family.
generate_metrics() {
  python3 - "$1" <<'PY'
import sys
target = int(sys.argv[1])
buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
out = sys.stdout
w = out.write
series = fam = 0
while series < target:
    base = f"app_subsystem{fam % 97}_op{fam}"
    kind = fam % 4
    if kind == 0:
        n = f"{base}_requests_total"
        w(f"# HELP {n} Requests handled.\n# TYPE {n} counter\n")
        for i in range(200):
            w(f'{n}{{method="{("GET", "POST", "PUT", "DELETE")[i % 4]}",code="{200 + i % 5}",path="/api/v1/items/{i % 50}/details",host="host-{i % 7}.internal"}} {i * 3}\n')
        series += 200
    elif kind == 1:
        n = f"{base}_in_flight"
        w(f"# HELP {n} Requests in flight.\n# TYPE {n} gauge\n")
        for i in range(100):
            w(f'{n}{{worker="w{i % 50}",zone="eu-west-1{"abc"[i // 50]}",pod="checkout-7d9f8b6c5-{i % 50:05d}"}} {i * 0.5}\n')
        series += 100
    elif kind == 2:
        n = f"{base}_duration_seconds"
        w(f"# HELP {n} Request latency.\n# TYPE {n} histogram\n")
        for i in range(20):
            lab = f'handler="/api/v1/handler/{i}",method="POST",service="checkout"'
            c = 0
            for b in buckets:
                c += i
                w(f'{n}_bucket{{{lab},le="{b}"}} {c}\n')
            w(f'{n}_bucket{{{lab},le="+Inf"}} {c}\n{n}_sum{{{lab}}} {c * 0.1}\n{n}_count{{{lab}}} {c}\n')
        series += 20 * (len(buckets) + 3)
    else:
        n = f"{base}_payload_bytes"
        w(f"# HELP {n} Payload size.\n# TYPE {n} summary\n")
        for i in range(30):
            lab = f'queue="orders-{i}",consumer="billing-worker-{i % 3}"'
            for q in ("0.5", "0.9", "0.99"):
                w(f'{n}{{{lab},quantile="{q}"}} {i * 10}\n')
            w(f'{n}_sum{{{lab}}} {i * 100}\n{n}_count{{{lab}}} {i}\n')
        series += 30 * 5
    fam += 1
PY
}

# Runs both tools RUNS times on an exposition of $1 series; prints one result line and
# leaves "WALL_RATIO RSS_RATIO GODIAG_RSS_KB" in $WORK/ratios.txt.
bench_size() {
  local series="$1" input="$WORK/big.prom"
  log "generating $series series"
  generate_metrics "$series" >"$input"
  local lines bytes
  lines=$(wc -l <"$input")
  bytes=$(wc -c <"$input")
  "$godiag" metrics "$input" --format json --deadline 120s >"$WORK/godiag.json" || true
  if grep -q '"CORE00' "$WORK/godiag.json"; then
    echo "warning: godiag did not finish within its deadline; see $WORK/godiag.json" >&2
  fi
  : >"$WORK/godiag.txt"
  : >"$WORK/promtool.txt"
  for ((run = 1; run <= RUNS; run++)); do
    measure "$godiag" metrics "$input" --deadline 120s >>"$WORK/godiag.txt"
    measure sh -c "promtool check metrics < '$input'" >>"$WORK/promtool.txt"
  done
  rm -f "$input"
  local gw gr pw pr
  gw=$(cut -d' ' -f1 "$WORK/godiag.txt" | median)
  gr=$(cut -d' ' -f2 "$WORK/godiag.txt" | median)
  pw=$(cut -d' ' -f1 "$WORK/promtool.txt" | median)
  pr=$(cut -d' ' -f2 "$WORK/promtool.txt" | median)
  awk -v n="$series" -v lines="$lines" -v bytes="$bytes" -v gw="$gw" -v gr="$gr" -v pw="$pw" -v pr="$pr" 'BEGIN {
    wr = (gw > 0) ? pw / gw : 0; rr = (pr > 0) ? gr / pr : 0
    printf "  %d series (%d lines, %.1f MB)\n", n, lines, bytes / 1e6
    printf "    godiag metrics FILE              wall %7.3f s   peak RSS %8d KB\n", gw, gr
    printf "    promtool check metrics < FILE    wall %7.3f s   peak RSS %8d KB\n", pw, pr
    printf "    wall-time ratio (promtool / godiag): %5.1fx   target >= 25x   %s\n", wr, (wr >= 25) ? "met" : "NOT met"
    printf "    peak-RSS ratio (godiag / promtool):  %.3f   target <= 0.1   %s\n", rr, (rr <= 0.1) ? "met" : "NOT met"
    printf "%f %f %d\n", wr, rr, gr > "/dev/stderr"
  }' 2>"$WORK/ratios.txt"
}

bench_metrics() {
  printf 'metrics (median of %d runs, load %s)\n' "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
  bench_size 1000000
  read -r small_wall small_rss small_kb <"$WORK/ratios.txt"
  bench_size 4000000
  read -r large_wall large_rss large_kb <"$WORK/ratios.txt"
  # Streaming: four times the input may not need much more memory.
  awk -v a="$small_kb" -v b="$large_kb" -v w1="$small_wall" -v r1="$small_rss" -v w2="$large_wall" -v r2="$large_rss" 'BEGIN {
    growth = (a > 0) ? b / a : 0
    printf "  godiag peak RSS, 4M / 1M series: %.2f (the input grows 4x)\n", growth
    ok = (w1 >= 25 && r1 <= 0.1 && w2 >= 25 && r2 <= 0.1)
    exit !ok
  }'
}

need
bench_metrics
