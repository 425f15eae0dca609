/*
 * static_layout.c - /static/layout.css, compiled in: the charts, the
 * queues' highlights, and a layout that works at a phone's width (390 px:
 * the navigation wraps, wide tables scroll inside themselves, buttons
 * keep apart).
 */
#include "handlers.h"
#include "http.h"

static const char css[] =
	".hchart{max-width:560px;margin:.5em 0}\n"
	".hchart svg{width:100%;height:auto;background:#fff;border:1px solid #ccc;display:block}\n"
	".hchart polyline{fill:none;stroke-width:2}\n"
	".hchart .depth{stroke:#36c}.hchart .in{stroke:#2a6}.hchart .out{stroke:#c63}\n"
	".hchart rect.depth{fill:#36c}.hchart rect.in{fill:#2a6}.hchart rect.out{fill:#c63}\n"
	".hchart rect.key{stroke:none}\n"
	".hchart .axis line{stroke:#999;stroke-width:1}.hchart .axis line.grid{stroke:#eee}\n"
	".hchart text{font-size:11px;fill:#555}.hchart text.left{fill:#36c}\n"
	".hchart .chart-note{font-size:.85em;color:#555;margin:.2em 0}\n"
	".hchart.chart-failed .chart-note{background:#f99;color:#222;padding:.3em}\n"
	"tr.stuck td{background:#fdd}tr.blocked td{background:#fe9}\n"
	"tr.stuck.blocked td{background:#fcb}td.state{font-weight:bold;color:#a00}\n"
	"td.num,th.num{text-align:right}\n"
	"th a.sort{color:inherit;text-decoration:none}th a.sort:hover{text-decoration:underline}\n"
	"th[aria-sort] a.sort{font-weight:bold}\n"
	".facts th{width:12em}\n"
	"div.actions form,td.actions form{display:inline-block;margin:.15em .4em .15em 0}\n"
	"div.actions{margin:.5em 0}\n"
	"button{min-height:2em;padding:.2em .7em}\n"
	"input,textarea,select{max-width:100%;box-sizing:border-box}\n"
	"pre{overflow-x:auto}\n"
	"main p,main h1,main h2,pre{overflow-wrap:anywhere}\n"
	"@media (max-width:700px){\n"
	"main{padding:.5em}\n"
	"header nav{display:block;margin:.3em 0 0 0}\n"
	"header nav a{display:inline-block;padding:.35em .1em;margin-right:.8em}\n"
	"header .user{float:none;display:block;margin-top:.3em}\n"
	"main section{display:block;margin:0 0 1em 0}\n"
	"table{display:block;overflow-x:auto;max-width:100%}\n"
	"th,td{white-space:nowrap}td.body,.facts td{white-space:normal;min-width:10em}\n"
	"td.body{max-width:14em}\n"
	"textarea{width:100%}\n"
	"}\n"
	"span.stuck{background:#fdd;padding:0 .2em}span.blocked{background:#fe9;padding:0 .2em}\n";

int web_static_layout(struct web_req *r)
{
	return web_respond(r, 200, "text/css; charset=utf-8", css, sizeof css - 1);
}
