/*
 * static_queues.c - /static/queues.js, compiled in: the queues table's
 * stuck and blocked highlights kept in step with its live counts.
 */
#include "handlers.h"
#include "http.h"

static const char js[] =
	"'use strict';\n"
	"// The queues table's highlights follow its refreshed counts (console.js\n"
	"// rewrites the cells): a row is stuck while messages wait with no\n"
	"// consumer, blocked while flow control holds producers, as the page first\n"
	"// drew them (page_queues.c).\n"
	"(function () {\n"
	"  function num(row, attr) {\n"
	"    var c = row.querySelector('td[data-attr=\"' + attr + '\"]');\n"
	"    return c ? Number(c.textContent) || 0 : 0;\n"
	"  }\n"
	"  function mark(row) {\n"
	"    var stuck = num(row, 'QueueSize') > 0 && num(row, 'ConsumerCount') === 0;\n"
	"    var blocked = num(row, 'BlockedProducers') > 0;\n"
	"    row.classList.toggle('stuck', stuck);\n"
	"    row.classList.toggle('blocked', blocked);\n"
	"    var s = row.querySelector('td.state');\n"
	"    if (s) s.textContent = [stuck ? 'stuck: no consumer' : '', blocked ? 'producers blocked' : '']\n"
	"      .filter(Boolean).join(', ');\n"
	"  }\n"
	"  document.addEventListener('DOMContentLoaded', function () {\n"
	"    var rows = document.querySelectorAll('table.queues tr[data-mbean]');\n"
	"    if (rows.length) setInterval(function () { rows.forEach(mark); }, 1000);\n"
	"  });\n"
	"})();\n";

int web_static_queues(struct web_req *r)
{
	return web_respond(r, 200, "text/javascript; charset=utf-8", js, sizeof js - 1);
}
