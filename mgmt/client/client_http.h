/*
 * client_http.h - the management client's HTTP transport (client.c): a
 * node's Jolokia requests POSTed to its web console's /api/jolokia with
 * libcurl, for a node whose address is http://HOST:PORT[/...].
 */
#ifndef TANDEM_MGMT_CLIENT_HTTP_H
#define TANDEM_MGMT_CLIENT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct mgmt_http;

/* True when addr names a web console rather than a management socket. */
bool mgmt_http_addr(const char *addr);
/* NULL only on ENOMEM. */
struct mgmt_http *mgmt_http_new(const char *url, int timeout_ms);
void mgmt_http_free(struct mgmt_http *h);
/* POSTs req (borrowed) as user (NULL: no login); *resp gets the JSON
 * answer. 0; -1 when the node cannot be reached or answers no JSON;
 * -2 when it refuses the login (401). Why in err. */
int mgmt_http_post(struct mgmt_http *h, const char *user, const char *password, json_t *req,
		   json_t **resp, char *err, size_t errlen);

#endif
