# Section `metrics`: `godiag metrics big.prom` vs `promtool check metrics < big.prom` on a
# generated 1,000,000-line exposition; median wall time and peak RSS of RUNS runs (default 5).
# Targets: ≥ 10× faster wall, ≤ 1/4 of promtool's peak memory.

RUNS="${RUNS:-5}"
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

# A 1,000,000-line exposition: counters with four labels, gauges, histograms with the
# client_golang default buckets, summaries; HELP and TYPE for every family.
generate_metrics() {
  python3 - "$1" <<'PY'
import sys
target = int(sys.argv[1])
buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
out = sys.stdout
w = out.write
lines = fam = 0
while lines < target:
    base = f"app_subsystem{fam % 97}_op{fam}"
    kind = fam % 4
    if kind == 0:
        n = f"{base}_requests_total"
        w(f"# HELP {n} Requests handled.\n# TYPE {n} counter\n")
        for i in range(200):
            w(f'{n}{{method="{("GET", "POST", "PUT", "DELETE")[i % 4]}",code="{200 + i % 5}",path="/api/v1/items/{i % 50}",host="host-{i % 7}"}} {i * 3}\n')
        lines += 202
    elif kind == 1:
        n = f"{base}_in_flight"
        w(f"# HELP {n} Requests in flight.\n# TYPE {n} gauge\n")
        for i in range(100):
            w(f'{n}{{worker="w{i % 50}",zone="z{i // 50}"}} {i * 0.5}\n')
        lines += 102
    elif kind == 2:
        n = f"{base}_duration_seconds"
        w(f"# HELP {n} Request latency.\n# TYPE {n} histogram\n")
        for i in range(20):
            lab = f'handler="/h{i}",method="POST"'
            c = 0
            for b in buckets:
                c += i
                w(f'{n}_bucket{{{lab},le="{b}"}} {c}\n')
            w(f'{n}_bucket{{{lab},le="+Inf"}} {c}\n{n}_sum{{{lab}}} {c * 0.1}\n{n}_count{{{lab}}} {c}\n')
        lines += 2 + 20 * (len(buckets) + 3)
    else:
        n = f"{base}_payload_bytes"
        w(f"# HELP {n} Payload size.\n# TYPE {n} summary\n")
        for i in range(30):
            lab = f'queue="q{i}"'
            for q in ("0.5", "0.9", "0.99"):
                w(f'{n}{{{lab},quantile="{q}"}} {i * 10}\n')
            w(f'{n}_sum{{{lab}}} {i * 100}\n{n}_count{{{lab}}} {i}\n')
        lines += 2 + 30 * 5
    fam += 1
PY
}

bench_metrics() {
  local input="$WORK/big.prom"
  if [[ ! -s "$input" ]]; then
    log "generating $input"
    generate_metrics 1000000 >"$input"
  fi
  printf 'input: %s (%s lines, %s bytes)\n' "$input" "$(wc -l <"$input")" "$(wc -c <"$input")"
  "$godiag" metrics "$input" --format json >"$WORK/godiag.json" || true
  if grep -q '"CORE00' "$WORK/godiag.json"; then
    echo "warning: godiag did not finish within its deadline; see $WORK/godiag.json" >&2
  fi
  : >"$WORK/godiag.txt"
  : >"$WORK/promtool.txt"
  for ((run = 1; run <= RUNS; run++)); do
    measure "$godiag" metrics "$input" >>"$WORK/godiag.txt"
    measure sh -c "promtool check metrics < '$input'" >>"$WORK/promtool.txt"
  done
  local gw gr pw pr
  gw=$(cut -d' ' -f1 "$WORK/godiag.txt" | median)
  gr=$(cut -d' ' -f2 "$WORK/godiag.txt" | median)
  pw=$(cut -d' ' -f1 "$WORK/promtool.txt" | median)
  pr=$(cut -d' ' -f2 "$WORK/promtool.txt" | median)
  awk -v gw="$gw" -v gr="$gr" -v pw="$pw" -v pr="$pr" -v runs="$RUNS" 'BEGIN {
    printf "metrics (median of %d runs, load %s)\n", runs, "'"$(cut -d' ' -f1-3 /proc/loadavg)"'"
    printf "  godiag metrics big.prom              wall %7.3f s   peak RSS %8d KB\n", gw, gr
    printf "  promtool check metrics < big.prom    wall %7.3f s   peak RSS %8d KB\n", pw, pr
    wr = (gw > 0) ? pw / gw : 0; rr = (pr > 0) ? gr / pr : 0
    printf "  wall-time ratio (promtool / godiag): %.1fx   target >= 10x   %s\n", wr, (wr >= 10) ? "met" : "NOT met"
    printf "  peak-RSS ratio (godiag / promtool):  %.3f   target <= 0.25  %s\n", rr, (rr <= 0.25) ? "met" : "NOT met"
    exit !(wr >= 10 && rr <= 0.25)
  }'
}

need
bench_metrics
