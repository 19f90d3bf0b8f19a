/* Calls libnss_godiag.so.2's entry points directly, as glibc would, and checks glibc's
 * contract: every buffer size from 1 byte up gives either the right answer with every pointer
 * aligned and inside the buffer, or TRYAGAIN with errno ERANGE; names of 0-300 bytes and
 * invalid UTF-8 give NOTFOUND; many threads at once while the map is rewritten give either
 * one of the map's answers or NOTFOUND.
 *
 * usage: harness MODULE MAP_PATH [quick]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum nss_status (*by4_fn)(const char *, struct gaih_addrtuple **, char *, size_t, int *, int *, int32_t *);
typedef enum nss_status (*by3_fn)(const char *, int, struct hostent *, char *, size_t, int *, int *, int32_t *, char **);
typedef enum nss_status (*by2_fn)(const char *, int, struct hostent *, char *, size_t, int *, int *);
typedef enum nss_status (*by1_fn)(const char *, struct hostent *, char *, size_t, int *, int *);
typedef enum nss_status (*addr2_fn)(const void *, socklen_t, int, struct hostent *, char *, size_t, int *, int *, int32_t *);
typedef enum nss_status (*addr_fn)(const void *, socklen_t, int, struct hostent *, char *, size_t, int *, int *);

static by4_fn by4;
static by3_fn by3;
static by2_fn by2;
static by1_fn by1;
static addr2_fn addr2;
static addr_fn addr1;
static const char *map_path;
static long checks;
static int failures;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *fmt, ...) {
    va_list ap;
    pthread_mutex_lock(&report_lock);
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
    pthread_mutex_unlock(&report_lock);
}

static void *symbol(void *module, const char *name) {
    void *found = dlsym(module, name);
    if (!found) {
        fprintf(stderr, "missing symbol %s\n", name);
        exit(2);
    }
    return found;
}

static void write_map(const char *text) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", map_path);
    FILE *f = fopen(tmp, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror("writing map");
        exit(2);
    }
    if (rename(tmp, map_path) != 0) {
        perror("rename");
        exit(2);
    }
}

static int inside(const void *p, size_t size, const char *buf, size_t len) {
    const char *c = p;
    return c >= buf && c + size <= buf + len;
}

static int aligned(const void *p, size_t align) { return ((uintptr_t)p % align) == 0; }

/* The expected answer for one name: canonical name and addresses as text, NULL-terminated. */
struct expect {
    const char *name;
    const char *canonical;
    const char *v4[4];
    const char *v6[4];
};

static const struct expect cases[] = {
    {"git.corp.example", "git.corp.example", {"10.1.2.3", "10.1.2.4", NULL}, {"fd00::3", NULL}},
    {"GIT.Corp.Example.", "git.corp.example", {"10.1.2.3", "10.1.2.4", NULL}, {"fd00::3", NULL}},
    {"a.b.wild.example", "a.b.wild.example", {"10.9.0.1", NULL}, {NULL}},
    {"x.deep.wild.example", "x.deep.wild.example", {"10.9.0.2", NULL}, {NULL}},
    {"v6only.example", "v6only.example", {NULL}, {"fd00::66", "fd00::67", NULL}},
};

static const char *MAP =
    "git.corp.example 10.1.2.3 fd00::3 10.1.2.4\n"
    "*.wild.example 10.9.0.1\n"
    "*.deep.wild.example 10.9.0.2\n"
    "v6only.example fd00::66 fd00::67\n"
    "alias.example 10.1.2.3\n";

static int count(const char *const *list) {
    int n = 0;
    while (list[n]) n++;
    return n;
}

static int listed(const char *const *list, int family, const void *addr) {
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(family, addr, text, sizeof text)) return 0;
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], text) == 0) return 1;
    return 0;
}

/* gethostbyname4_r with a buffer of exactly `len` bytes (malloc'd, so valgrind sees overruns).
 * Returns 1 on success, 0 on ERANGE. */
static int check4(const struct expect *e, size_t len) {
    char *buf = malloc(len);
    struct gaih_addrtuple *pat = NULL;
    int err = 0, herr = 0;
    int32_t ttl = -1;
    enum nss_status st = by4(e->name, &pat, buf, len, &err, &herr, &ttl);
    int ok = 0;
    checks++;
    if (st == NSS_STATUS_TRYAGAIN && err == ERANGE) {
        ok = 0;
    } else if (st != NSS_STATUS_SUCCESS) {
        fail("%s len %zu: status %d errno %d", e->name, len, st, err);
    } else {
        int v4 = 0, v6 = 0;
        for (struct gaih_addrtuple *t = pat; t; t = t->next) {
            if (!inside(t, sizeof *t, buf, len) || !aligned(t, _Alignof(struct gaih_addrtuple)))
                fail("%s len %zu: tuple %p outside or misaligned", e->name, len, (void *)t);
            if (!t->name || !inside(t->name, strlen(t->name) + 1, buf, len) ||
                strcmp(t->name, e->canonical) != 0)
                fail("%s len %zu: bad canonical name", e->name, len);
            if (t->family == AF_INET && listed(e->v4, AF_INET, t->addr)) v4++;
            else if (t->family == AF_INET6 && listed(e->v6, AF_INET6, t->addr)) v6++;
            else fail("%s len %zu: unexpected address family %d", e->name, len, t->family);
        }
        if (v4 != count(e->v4) || v6 != count(e->v6))
            fail("%s len %zu: %d v4 and %d v6 addresses", e->name, len, v4, v6);
        if (ttl != 0) fail("%s: ttl %d", e->name, ttl);
        ok = 1;
    }
    free(buf);
    return ok;
}

static void check_hostent(const char *what, const struct hostent *h, const char *buf, size_t len,
                          int family, const char *canonical, const char *const *want) {
    if (!inside(h->h_name, strlen(h->h_name) + 1, buf, len) || strcmp(h->h_name, canonical) != 0)
        fail("%s len %zu: h_name", what, len);
    if (h->h_addrtype != family || h->h_length != (family == AF_INET ? 4 : 16))
        fail("%s len %zu: family/length", what, len);
    if (!inside(h->h_aliases, sizeof(char *), buf, len) || !aligned(h->h_aliases, sizeof(char *)))
        fail("%s len %zu: h_aliases", what, len);
    if (!aligned(h->h_addr_list, sizeof(char *))) fail("%s len %zu: h_addr_list", what, len);
    int n = 0;
    for (; inside(&h->h_addr_list[n], sizeof(char *), buf, len) && h->h_addr_list[n]; n++) {
        if (!inside(h->h_addr_list[n], h->h_length, buf, len) ||
            !listed(want, family, h->h_addr_list[n]))
            fail("%s len %zu: address %d", what, len, n);
    }
    if (n != count(want)) fail("%s len %zu: %d addresses", what, len, n);
}

/* gethostbyname3_r / 2_r / _r for one family; returns 1 on success, 0 on ERANGE. */
static int check3(const struct expect *e, int family, int which, size_t len) {
    char *buf = malloc(len);
    struct hostent h;
    int err = 0, herr = 0;
    int32_t ttl = -1;
    char *canon = NULL;
    const char *const *want = family == AF_INET ? e->v4 : e->v6;
    enum nss_status st;
    if (which == 3) st = by3(e->name, family, &h, buf, len, &err, &herr, &ttl, &canon);
    else if (which == 2) st = by2(e->name, family, &h, buf, len, &err, &herr);
    else st = by1(e->name, &h, buf, len, &err, &herr);
    int ok = 0;
    checks++;
    if (st == NSS_STATUS_TRYAGAIN && err == ERANGE) {
        ok = 0;
    } else if (count(want) == 0) {
        if (st != NSS_STATUS_NOTFOUND || herr != NO_DATA)
            fail("%s af %d: status %d h_errno %d, want NOTFOUND/NO_DATA", e->name, family, st, herr);
        ok = 1;
    } else if (st != NSS_STATUS_SUCCESS) {
        fail("%s af %d len %zu: status %d errno %d", e->name, family, len, st, err);
    } else {
        check_hostent(e->name, &h, buf, len, family, e->canonical, want);
        if (which == 3 && canon != h.h_name) fail("%s: canonp", e->name);
        ok = 1;
    }
    free(buf);
    return ok;
}

/* Every size from 1 up: ERANGE until some size, success from there on. */
static void sweep(const char *what, int (*call)(const void *, int, int, size_t), const void *arg,
                  int family, int which) {
    int succeeded = 0;
    for (size_t len = 1; len <= 600; len++) {
        int ok = call(arg, family, which, len);
        if (succeeded && !ok) fail("%s: ERANGE at %zu after a smaller buffer succeeded", what, len);
        succeeded |= ok;
    }
    if (!succeeded) fail("%s: no buffer size up to 600 succeeded", what);
}

static int call4(const void *e, int family, int which, size_t len) {
    (void)family;
    (void)which;
    return check4(e, len);
}

static int call3(const void *e, int family, int which, size_t len) {
    return check3(e, family, which, len);
}

static void not_found(const char *name, size_t namelen) {
    char buf[1024];
    struct gaih_addrtuple *pat = NULL;
    struct hostent h;
    int err = 0, herr = 0;
    checks++;
    enum nss_status st = by4(name, &pat, buf, sizeof buf, &err, &herr, NULL);
    if (st != NSS_STATUS_NOTFOUND || herr != HOST_NOT_FOUND)
        fail("name of %zu bytes: by4 status %d h_errno %d", namelen, st, herr);
    st = by2(name, AF_INET, &h, buf, sizeof buf, &err, &herr);
    if (st != NSS_STATUS_NOTFOUND) fail("name of %zu bytes: by2 status %d", namelen, st);
}

static void check_reverse(void) {
    struct in_addr v4;
    struct in6_addr v6;
    inet_pton(AF_INET, "10.1.2.3", &v4);
    inet_pton(AF_INET6, "fd00::3", &v6);
    const char *want4[] = {"10.1.2.3", NULL};
    const char *want6[] = {"fd00::3", NULL};
    for (size_t len = 1; len <= 300; len++) {
        char *buf = malloc(len);
        struct hostent h;
        int err = 0, herr = 0;
        checks++;
        enum nss_status st = addr1(&v4, 4, AF_INET, &h, buf, len, &err, &herr);
        if (st == NSS_STATUS_SUCCESS) {
            check_hostent("reverse v4", &h, buf, len, AF_INET, "git.corp.example", want4);
            if (!h.h_aliases[0] || strcmp(h.h_aliases[0], "alias.example") != 0 || h.h_aliases[1])
                fail("reverse v4: aliases");
        } else if (!(st == NSS_STATUS_TRYAGAIN && err == ERANGE)) {
            fail("reverse v4 len %zu: status %d", len, st);
        }
        st = addr2(&v6, 16, AF_INET6, &h, buf, len, &err, &herr, NULL);
        if (st == NSS_STATUS_SUCCESS) check_hostent("reverse v6", &h, buf, len, AF_INET6, "git.corp.example", want6);
        else if (!(st == NSS_STATUS_TRYAGAIN && err == ERANGE)) fail("reverse v6 len %zu: status %d", len, st);
        free(buf);
    }
    char buf[512];
    struct hostent h;
    int err = 0, herr = 0;
    inet_pton(AF_INET, "10.200.0.1", &v4);
    if (addr1(&v4, 4, AF_INET, &h, buf, sizeof buf, &err, &herr) != NSS_STATUS_NOTFOUND)
        fail("reverse of an unmapped address");
    if (addr1(&v4, 3, AF_INET, &h, buf, sizeof buf, &err, &herr) != NSS_STATUS_NOTFOUND)
        fail("reverse with a short address");
    checks += 2;
}

static volatile int stop;

/* While the main thread rewrites the map, every answer for swap.example is one of the two
 * versions' addresses, or NOTFOUND; never garbage. */
static void *lookups(void *arg) {
    long n = (long)(intptr_t)arg;
    char buf[256];
    while (!stop && n-- > 0) {
        struct gaih_addrtuple *pat = NULL;
        int err = 0, herr = 0;
        enum nss_status st = by4("swap.example", &pat, buf, sizeof buf, &err, &herr, NULL);
        if (st == NSS_STATUS_SUCCESS) {
            const char *both[] = {"10.7.0.1", "10.7.0.2", NULL};
            if (pat->family != AF_INET || !listed(both, AF_INET, pat->addr) || pat->next)
                fail("swap.example: wrong answer during rewrite");
        } else if (st != NSS_STATUS_NOTFOUND) {
            fail("swap.example: status %d errno %d", st, err);
        }
        __atomic_fetch_add(&checks, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void threads(int quick) {
    enum { THREADS = 8 };
    pthread_t t[THREADS];
    long per_thread = quick ? 300 : 20000;
    write_map("swap.example 10.7.0.2\n");
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, lookups, (void *)(intptr_t)per_thread);
    for (int round = 0; round < (quick ? 20 : 400); round++) {
        if (round % 2) {
            write_map("swap.example 10.7.0.1\n");
        } else {
            /* In place, not renamed: a reader may see the file empty or half written. */
            FILE *f = fopen(map_path, "w");
            fputs("swap.example ", f);
            fflush(f);
            fputs("10.7.0.2\n", f);
            fclose(f);
        }
        usleep(500);
    }
    stop = 1;
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODULE MAP [quick]\n", argv[0]);
        return 2;
    }
    int quick = argc > 3 && strcmp(argv[3], "quick") == 0;
    map_path = argv[2];
    write_map(MAP);
    setenv("GODIAG_NSS_MAP", map_path, 1);
    void *module = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!module) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 2;
    }
    by4 = (by4_fn)symbol(module, "_nss_godiag_gethostbyname4_r");
    by3 = (by3_fn)symbol(module, "_nss_godiag_gethostbyname3_r");
    by2 = (by2_fn)symbol(module, "_nss_godiag_gethostbyname2_r");
    by1 = (by1_fn)symbol(module, "_nss_godiag_gethostbyname_r");
    addr2 = (addr2_fn)symbol(module, "_nss_godiag_gethostbyaddr2_r");
    addr1 = (addr_fn)symbol(module, "_nss_godiag_gethostbyaddr_r");

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct expect *e = &cases[i];
        sweep(e->name, call4, e, 0, 4);
        for (int which = 1; which <= 3; which++) {
            sweep(e->name, call3, e, AF_INET, which);
            if (which > 1) sweep(e->name, call3, e, AF_INET6, which);
        }
    }
    check_reverse();

    /* Names of every length 0-300 (none mapped), and bytes that are not UTF-8. */
    char name[302];
    for (size_t len = 0; len <= 300; len++) {
        memset(name, 'q', len);
        for (size_t dot = 50; dot < len; dot += 51) name[dot] = '.';
        name[len] = '\0';
        not_found(name, len);
    }
    not_found("\xff\xfe.corp.example", 15);
    not_found("git.corp.example\xc3", 17);
    not_found("..", 2);

    /* Without a map the module is UNAVAIL, as libnss_files is without /etc/hosts. */
    unlink(map_path);
    {
        char buf[256];
        struct gaih_addrtuple *pat = NULL;
        int err = 0, herr = 0;
        if (by4("git.corp.example", &pat, buf, sizeof buf, &err, &herr, NULL) != NSS_STATUS_UNAVAIL)
            fail("missing map is not UNAVAIL");
        checks++;
    }

    threads(quick);
    /* No dlclose: glibc keeps NSS modules loaded for the process's life, and the cached map
     * they hold is meant to outlive each call (valgrind counts it as still reachable). */
    printf("%ld checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
