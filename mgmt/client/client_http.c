/*
 * client_http.c - Jolokia over HTTP for the management client (see
 * client_http.h). One curl handle per client keeps its connection alive
 * between requests; every transfer is bounded by the client's timeout.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "client_http.h"

#define MAX_ANSWER (256u << 20)

struct mgmt_http {
	CURL *curl;
	char *url;		/* .../api/jolokia */
	int timeout_ms;
	struct buf in;
};

bool mgmt_http_addr(const char *addr)
{
	return !strncmp(addr, "http://", 7) || !strncmp(addr, "https://", 8);
}

struct mgmt_http *mgmt_http_new(const char *url, int timeout_ms)
{
	static bool inited;
	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	struct mgmt_http *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	/* The node's console root, or its /api/jolokia itself. */
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	bool full = n >= 12 && !strncmp(url + n - 12, "/api/jolokia", 12);
	if (asprintf(&h->url, "%.*s%s", (int)n, url, full ? "" : "/api/jolokia") < 0)
		h->url = NULL;
	h->curl = curl_easy_init();
	if (!h->url || !h->curl) {
		mgmt_http_free(h);
		return NULL;
	}
	h->timeout_ms = timeout_ms;
	return h;
}

void mgmt_http_free(struct mgmt_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	buf_free(&h->in);
	free(h->url);
	free(h);
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct mgmt_http *h = ctx;
	if (buf_len(&h->in) + size * n > MAX_ANSWER || buf_append(&h->in, p, size * n) < 0)
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	return size * n;
}

int mgmt_http_post(struct mgmt_http *h, const char *user, const char *password, json_t *req,
		   json_t **resp, char *err, size_t errlen)
{
	char *body = json_dumps(req, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!body) {
		snprintf(err, errlen, "cannot encode the request");
		return -1;
	}
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	char curl_err[CURL_ERROR_SIZE] = "";
	buf_reset(&h->in);
	CURL *c = h->curl;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, h->url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	if (user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, password ? password : "");
	}
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	free(body);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
		return -1;
	}
	if (status == 401) {
		snprintf(err, errlen, "the web console refused the login (HTTP 401)%s",
			 user ? "" : "; give --user and --password");
		return -2;
	}
	json_error_t jerr;
	*resp = buf_len(&h->in) ? json_loadb(buf_data(&h->in), buf_len(&h->in), JSON_DECODE_ANY,
					     &jerr) : NULL;
	if (status != 200 || !*resp) {
		json_decref(*resp);
		*resp = NULL;
		snprintf(err, errlen, "%s answered HTTP %ld%s", h->url, status,
			 status == 200 ? " with something that is not JSON" : "");
		return -1;
	}
	return 0;
}
