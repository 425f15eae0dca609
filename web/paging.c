/*
 * paging.c - the console's listings in pages (see paging.h).
 */
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "http.h"
#include "paging.h"

json_t *paging_config(struct web_req *r, const char *filter_attr)
{
	json_t *config = json_pack("{s:i}", "limit", PAGING_ROWS);
	const char *after = web_arg(r, "after");
	const char *filter = filter_attr ? web_arg(r, "filter") : NULL;
	if (after && *after)
		json_object_set_new(config, "after", json_string(after));
	if (filter && *filter) {
		/* Plain text finds names that hold it; a glob is taken as it is. */
		char *glob = NULL;
		if (strpbrk(filter, "*?"))
			glob = strdup(filter);
		else if (asprintf(&glob, "*%s*", filter) < 0)
			glob = NULL;
		if (glob)
			json_object_set_new(config, "where", json_pack("{s:s}", filter_attr, glob));
		free(glob);
	}
	return config;
}

void paging_href(struct buf *b, const char *path, const struct paging_arg *args, size_t n)
{
	struct buf url = BUF_INIT;
	buf_puts(&url, path);
	const char *sep = "?";
	for (size_t i = 0; i < n; i++) {
		if (!args[i].value || !*args[i].value)
			continue;
		buf_printf(&url, "%s%s=", sep, args[i].key);
		url_text(&url, args[i].value);
		sep = "&";
	}
	html_textn(b, buf_data(&url), buf_len(&url));
	buf_free(&url);
}

/* path?after=...&filter=... as an HTML attribute value. */
static void page_link(struct buf *b, const char *path, const char *after, const char *filter)
{
	const struct paging_arg args[] = { { "after", after }, { "filter", filter } };
	paging_href(b, path, args, 2);
}

void paging_nav(struct buf *b, struct web_req *r, const char *path, const char *filter_attr,
		const struct jolokia_page *page)
{
	const char *filter = filter_attr ? web_arg(r, "filter") : NULL;
	const char *after = web_arg(r, "after");
	buf_puts(b, "<p class=\"paging\">");
	if (filter_attr) {
		buf_puts(b, "<form method=\"get\" action=\"");
		html_text(b, path);
		buf_puts(b, "\" class=\"filter\"><label>Filter <input name=\"filter\" value=\"");
		html_text(b, filter ? filter : "");
		buf_puts(b, "\" placeholder=\"part of the name, or a glob\"></label> "
			 "<button>Show</button></form> ");
	}
	if (after && *after) {
		buf_puts(b, "<a id=\"first-page\" href=\"");
		page_link(b, path, NULL, filter);
		buf_puts(b, "\">First page</a> ");
	}
	if (page->next[0]) {
		buf_puts(b, "<a id=\"next-page\" rel=\"next\" href=\"");
		page_link(b, path, page->next, filter);
		buf_printf(b, "\">Next %d</a>", PAGING_ROWS);
	}
	buf_puts(b, "</p>\n");
}

void paging_refresh_attrs(struct buf *b, json_t *config)
{
	char *text = json_dumps(config, JSON_COMPACT);
	buf_puts(b, " data-config=\"");
	html_text(b, text ? text : "{}");
	buf_puts(b, "\"");
	free(text);
}
