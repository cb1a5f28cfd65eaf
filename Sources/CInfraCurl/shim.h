#ifndef CINFRA_CURL_SHIM_H
#define CINFRA_CURL_SHIM_H
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* libcurl is opened on first use (dlopen), not linked: linked, it and the ~30 libraries it
   depends on (TLS, GSSAPI, LDAP, SSH, IDN, ...) were loaded, relocated and initialized at every
   start of infra, `infra --help` included (12 M instructions). Only the headers are used at
   build time (libcurl4-openssl-dev); at run time libcurl.so.4 is opened when the first
   transport is made. */

struct cinfra_curl_api {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_reset)(CURL *);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
};

struct cinfra_curl_state {
    pthread_once_t once;
    struct cinfra_curl_api api;
    /* Why libcurl could not be loaded (NULL when it was). */
    char error[512];
    int loaded;
};

static inline struct cinfra_curl_state *cinfra_curl_state_(void) {
    static struct cinfra_curl_state state = { PTHREAD_ONCE_INIT };
    return &state;
}

static inline void cinfra_curl_load_(void) {
    struct cinfra_curl_state *s = cinfra_curl_state_();
#ifdef __APPLE__
    const char *name = "libcurl.4.dylib";
#else
    const char *name = "libcurl.so.4";
#endif
    /* INFRA_LIBCURL: another libcurl to open (a path, or a name the dynamic loader resolves). */
    const char *chosen = getenv("INFRA_LIBCURL");
    if (chosen && *chosen) name = chosen;
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(s->error, sizeof s->error, "cannot load libcurl (%s): %s", name, why ? why : "unknown error");
        return;
    }
#define CINFRA_SYM(field, symbol) \
    if (!(*(void **)&s->api.field = dlsym(lib, symbol))) { \
        snprintf(s->error, sizeof s->error, "%s has no %s", name, symbol); return; }
    CINFRA_SYM(global_init, "curl_global_init")
    CINFRA_SYM(easy_init, "curl_easy_init")
    CINFRA_SYM(easy_reset, "curl_easy_reset")
    CINFRA_SYM(easy_cleanup, "curl_easy_cleanup")
    CINFRA_SYM(easy_perform, "curl_easy_perform")
    CINFRA_SYM(easy_strerror, "curl_easy_strerror")
    CINFRA_SYM(easy_setopt, "curl_easy_setopt")
    CINFRA_SYM(easy_getinfo, "curl_easy_getinfo")
    CINFRA_SYM(slist_append, "curl_slist_append")
    CINFRA_SYM(slist_free_all, "curl_slist_free_all")
#undef CINFRA_SYM
    s->loaded = 1;
}

/* The loaded API, or NULL when libcurl cannot be loaded (cinfra_curl_error says why). */
static inline const struct cinfra_curl_api *cinfra_curl(void) {
    struct cinfra_curl_state *s = cinfra_curl_state_();
    pthread_once(&s->once, cinfra_curl_load_);
    return s->loaded ? &s->api : NULL;
}

static inline const char *cinfra_curl_error(void) {
    return cinfra_curl() ? NULL : cinfra_curl_state_()->error;
}

/* The calls infra makes, through the loaded API. Before a successful cinfra_global_init none
   is called (the transport checks it). curl_easy_setopt and curl_easy_getinfo are variadic:
   Swift cannot call them, so these typed wrappers do. */
static inline CURLcode cinfra_global_init(long flags) {
    const struct cinfra_curl_api *c = cinfra_curl();
    return c ? c->global_init(flags) : CURLE_FAILED_INIT;
}
static inline CURL *cinfra_easy_init(void) { return cinfra_curl()->easy_init(); }
static inline void cinfra_easy_reset(CURL *h) { cinfra_curl()->easy_reset(h); }
static inline void cinfra_easy_cleanup(CURL *h) { cinfra_curl()->easy_cleanup(h); }
static inline CURLcode cinfra_easy_perform(CURL *h) { return cinfra_curl()->easy_perform(h); }
static inline const char *cinfra_easy_strerror(CURLcode c) { return cinfra_curl()->easy_strerror(c); }
static inline struct curl_slist *cinfra_slist_append(struct curl_slist *l, const char *s) { return cinfra_curl()->slist_append(l, s); }
static inline void cinfra_slist_free_all(struct curl_slist *l) { if (l) cinfra_curl()->slist_free_all(l); }

static inline CURLcode cinfra_setopt_long(CURL *h, CURLoption o, long v) { return cinfra_curl()->easy_setopt(h, o, v); }
static inline CURLcode cinfra_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return cinfra_curl()->easy_setopt(h, o, v); }
static inline CURLcode cinfra_setopt_ptr(CURL *h, CURLoption o, const void *v) { return cinfra_curl()->easy_setopt(h, o, v); }
static inline CURLcode cinfra_setopt_str(CURL *h, CURLoption o, const char *v) { return cinfra_curl()->easy_setopt(h, o, v); }
static inline CURLcode cinfra_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return cinfra_curl()->easy_setopt(h, o, v); }

typedef size_t (*cinfra_data_cb)(char *, size_t, size_t, void *);
typedef int (*cinfra_xferinfo_cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
typedef int (*cinfra_debug_cb)(CURL *, curl_infotype, char *, size_t, void *);

static inline CURLcode cinfra_setopt_write(CURL *h, CURLoption o, cinfra_data_cb f) { return cinfra_curl()->easy_setopt(h, o, f); }
static inline CURLcode cinfra_setopt_xferinfo(CURL *h, cinfra_xferinfo_cb f) { return cinfra_curl()->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f); }
static inline CURLcode cinfra_setopt_debug(CURL *h, cinfra_debug_cb f) { return cinfra_curl()->easy_setopt(h, CURLOPT_DEBUGFUNCTION, f); }

static inline CURLcode cinfra_getinfo_long(CURL *h, CURLINFO i, long *v) { return cinfra_curl()->easy_getinfo(h, i, v); }
static inline CURLcode cinfra_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return cinfra_curl()->easy_getinfo(h, i, v); }
#endif
