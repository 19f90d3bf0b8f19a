# nss: 100,000 getaddrinfo calls in one C process, `hosts: godiag` (libnss_godiag.so.2 and
# its map) vs `hosts: files` (/etc/hosts), the same 20 names in each.
#
# Runs in a private mount namespace: a test nsswitch.conf and hosts file are bind-mounted
# over /etc's, and the module is overlaid into the multiarch libdir, so the machine itself is
# untouched. libnss_files reopens /etc/hosts on every call; the module stats its map and
# answers from memory. Target: ratio godiag/files <= 1.0. Needs root and gcc.

command -v gcc >/dev/null || { echo "gcc is missing" >&2; exit 1; }
cargo build --release --quiet -p nss-godiag
mkdir -p "$work/lib" "$work/upper" "$work/work"
cp target/release/libnss_godiag.so "$work/lib/libnss_godiag.so.2"
: >"$work/hosts"
: >"$work/nss.map"
for i in $(seq 1 20); do
  echo "10.20.0.$i host$i.corp.example" >>"$work/hosts"
  echo "host$i.corp.example 10.20.0.$i" >>"$work/nss.map"
done
echo "hosts: files" >"$work/nsswitch-files.conf"
echo "hosts: godiag" >"$work/nsswitch-godiag.conf"
cat >"$work/loop.c" <<'C'
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(int argc, char **argv) {
    long n = atol(argv[2]);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        struct addrinfo *res;
        int rc = getaddrinfo(argv[1], NULL, &hints, &res);
        if (rc != 0) { fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc)); return 1; }
        freeaddrinfo(res);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.0f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
    return 0;
}
C
gcc -O2 -o "$work/loop" "$work/loop.c"
libdir="/usr/lib/$(uname -m)-linux-gnu"
run() {
  GODIAG_NSS_MAP="$work/nss.map" unshare -m sh -c "set -e
    mount --make-rprivate /
    mount -t overlay overlay -o lowerdir=$work/lib:$libdir $libdir
    mount --bind $work/nsswitch-$1.conf /etc/nsswitch.conf
    mount --bind $work/hosts /etc/hosts
    $work/loop host20.corp.example 100000"
}
run godiag >/dev/null # warm the page cache and the loader
files_ms="$(run files)"
godiag_ms="$(run godiag)"
echo "nss: 100000 getaddrinfo, hosts: files   ${files_ms} ms"
echo "nss: 100000 getaddrinfo, hosts: godiag  ${godiag_ms} ms"
python3 - "$godiag_ms" "$files_ms" <<'PY'
import sys
godiag, files = float(sys.argv[1]), float(sys.argv[2])
ratio = godiag / files
print(f"nss: ratio godiag/files {ratio:5.2f}x   (target <= 1.0)")
sys.exit(0 if ratio <= 1.0 else 1)
PY
