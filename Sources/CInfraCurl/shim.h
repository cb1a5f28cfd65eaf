#ifndef CINFRA_CURL_SHIM_H
#define CINFRA_CURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call them, so these
   typed wrappers do. */
static inline CURLcode cinfra_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cinfra_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cinfra_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cinfra_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cinfra_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*cinfra_data_cb)(char *, size_t, size_t, void *);
typedef int (*cinfra_xferinfo_cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
typedef int (*cinfra_debug_cb)(CURL *, curl_infotype, char *, size_t, void *);

static inline CURLcode cinfra_setopt_write(CURL *h, CURLoption o, cinfra_data_cb f) { return curl_easy_setopt(h, o, f); }
static inline CURLcode cinfra_setopt_xferinfo(CURL *h, cinfra_xferinfo_cb f) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f); }
static inline CURLcode cinfra_setopt_debug(CURL *h, cinfra_debug_cb f) { return curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, f); }

static inline CURLcode cinfra_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode cinfra_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
#endif
