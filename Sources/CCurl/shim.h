#ifndef AMFORA_CCURL_SHIM_H
#define AMFORA_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt / curl_easy_getinfo are variadic: one wrapper per argument kind. */
static inline CURLcode amfora_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode amfora_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode amfora_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode amfora_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode amfora_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*amfora_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode amfora_curl_setopt_write(CURL *h, CURLoption o, amfora_curl_write_cb cb) { return curl_easy_setopt(h, o, cb); }

typedef size_t (*amfora_curl_read_cb)(char *buffer, size_t size, size_t nitems, void *userdata);
static inline CURLcode amfora_curl_setopt_read(CURL *h, amfora_curl_read_cb cb) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, cb); }

typedef int (*amfora_curl_xferinfo_cb)(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode amfora_curl_setopt_xferinfo(CURL *h, amfora_curl_xferinfo_cb cb) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb); }

static inline CURLcode amfora_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode amfora_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode amfora_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }

/* CURL_GLOBAL_DEFAULT is a macro expression Swift does not import. */
static inline CURLcode amfora_curl_global_init_default(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
#endif
