/*
 * static.c - /static/console.css and /static/console.js, compiled in.
 *
 * The pages work without the script: it only asks before destructive
 * buttons, refreshes the counts of tables marked data-refresh, and draws
 * the live charts, all from /api/jolokia GETs on the console's session.
 * The content security policy allows scripts and styles from here only,
 * so nothing a message carries can run.
 */
#include <string.h>

#include "handlers.h"
#include "http.h"

static const char css[] =
	"body{font-family:sans-serif;margin:0;color:#222;background:#fafafa}"
	"header{background:#234;color:#fff;padding:.5em 1em}"
	"header a{color:#cde;margin-right:.6em;text-decoration:none}header a.here{color:#fff;"
	"font-weight:bold}header nav{display:inline;margin-left:1.5em}"
	"header .user{float:right}header form{display:inline}"
	".brand{font-weight:bold;margin-right:.5em}"
	".role{padding:.1em .5em;border-radius:.3em;font-size:.9em}"
	".role.master{background:#2a6}.role.slave{background:#b60}"
	"main{padding:1em}table{border-collapse:collapse;margin:.5em 0}"
	"main section{display:inline-block;vertical-align:top;margin:0 2em 1em 0}"
	"th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
	"th{background:#eee}td.body{font-family:monospace;max-width:30em;overflow:hidden}"
	"td.actions form,p.actions form{display:inline;margin-right:.3em}"
	"pre{background:#fff;border:1px solid #ccc;padding:.5em;white-space:pre-wrap}"
	".warn{background:#fe9;padding:.5em 1em;margin:0}.error{background:#f99;padding:.5em 1em;"
	"margin:0}.done{background:#9e9;padding:.5em 1em;margin:0}"
	"footer{color:#888;padding:1em;font-size:.8em}"
	".chart svg{background:#fff;border:1px solid #ccc}"
	".chart polyline{fill:none;stroke-width:2}.chart .depth{stroke:#36c}"
	".chart .in{stroke:#2a6}.chart .out{stroke:#c63}.chart text{font-size:11px;fill:#555}"
	"body.login main{max-width:40em;margin:3em auto}\n";

static const char js[] =
	"'use strict';\n"
	"document.addEventListener('submit', function (e) {\n"
	"  var b = e.target.querySelector('button[data-confirm]');\n"
	"  if (b && !window.confirm(b.getAttribute('data-confirm'))) e.preventDefault();\n"
	"});\n"
	"function jesc(s) { return encodeURIComponent(s.replace(/!/g, '!!').replace(/\\//g, '!/')); }\n"
	"function jread(mbean, attrs, config) {\n"
	"  var q = config ? '?config=' + encodeURIComponent(config) : '';\n"
	"  return fetch('/api/jolokia/read/' + jesc(mbean) + '/' + attrs.join(',') + q,\n"
	"               {credentials: 'same-origin'}).then(function (r) { return r.json(); });\n"
	"}\n"
	"function refreshTable(t) {\n"
	"  var cells = t.querySelectorAll('td[data-attr]'), attrs = {};\n"
	"  cells.forEach(function (c) { attrs[c.getAttribute('data-attr')] = 1; });\n"
	"  jread(t.getAttribute('data-refresh'), Object.keys(attrs), t.getAttribute('data-config')).then(function (r) {\n"
	"    if (r.status !== 200) return;\n"
	"    t.querySelectorAll('tr[data-mbean]').forEach(function (row) {\n"
	"      var v = r.value[row.getAttribute('data-mbean')];\n"
	"      if (!v) return;\n"
	"      row.querySelectorAll('td[data-attr]').forEach(function (c) {\n"
	"        var a = c.getAttribute('data-attr');\n"
	"        if (a in v) c.textContent = String(v[a]);\n"
	"      });\n"
	"    });\n"
	"  }).catch(function () {});\n"
	"}\n"
	"var SVG = 'http://www.w3.org/2000/svg', W = 480, H = 160, KEEP = 60;\n"
	"function el(name, attrs, parent) {\n"
	"  var e = document.createElementNS(SVG, name);\n"
	"  for (var k in attrs) e.setAttribute(k, attrs[k]);\n"
	"  if (parent) parent.appendChild(e);\n"
	"  return e;\n"
	"}\n"
	"function Chart(div) {\n"
	"  var broker = div.getAttribute('data-chart') === 'broker';\n"
	"  this.mbean = broker ? document.body.getAttribute('data-broker') : div.getAttribute('data-mbean');\n"
	"  this.attrs = broker ? ['TotalMessageCount', 'TotalEnqueueCount', 'TotalDequeueCount']\n"
	"                      : ['QueueSize', 'EnqueueCount', 'DequeueCount'];\n"
	"  this.points = [];\n"
	"  this.svg = el('svg', {width: W, height: H, viewBox: '0 0 ' + W + ' ' + H}, div);\n"
	"  this.lines = ['depth', 'in', 'out'].map(function (c) { return el('polyline', {'class': c}, this.svg); }, this);\n"
	"  this.label = el('text', {x: 4, y: 12}, this.svg);\n"
	"}\n"
	"Chart.prototype.tick = function () {\n"
	"  var self = this;\n"
	"  jread(this.mbean, this.attrs).then(function (r) {\n"
	"    if (r.status !== 200) return;\n"
	"    var v = r.value, now = Date.now(), last = self.points[self.points.length - 1];\n"
	"    var p = {t: now, depth: v[self.attrs[0]], ein: v[self.attrs[1]], eout: v[self.attrs[2]], rin: 0, rout: 0};\n"
	"    if (last) {\n"
	"      var dt = (now - last.t) / 1000;\n"
	"      p.rin = Math.max(0, (p.ein - last.ein) / dt);\n"
	"      p.rout = Math.max(0, (p.eout - last.eout) / dt);\n"
	"    }\n"
	"    self.points.push(p);\n"
	"    if (self.points.length > KEEP) self.points.shift();\n"
	"    self.draw();\n"
	"  }).catch(function () {});\n"
	"};\n"
	"Chart.prototype.draw = function () {\n"
	"  var pts = this.points, keys = ['depth', 'rin', 'rout'], max = 1;\n"
	"  pts.forEach(function (p) { keys.forEach(function (k) { max = Math.max(max, p[k]); }); });\n"
	"  keys.forEach(function (k, i) {\n"
	"    this.lines[i].setAttribute('points', pts.map(function (p, j) {\n"
	"      return (j * W / (KEEP - 1)).toFixed(1) + ',' + (H - 4 - p[k] * (H - 20) / max).toFixed(1);\n"
	"    }).join(' '));\n"
	"  }, this);\n"
	"  var p = pts[pts.length - 1];\n"
	"  this.label.textContent = 'depth ' + p.depth + '   in ' + p.rin.toFixed(1) + '/s   out ' + p.rout.toFixed(1) + '/s';\n"
	"};\n"
	"document.addEventListener('DOMContentLoaded', function () {\n"
	"  var tables = document.querySelectorAll('table[data-refresh]');\n"
	"  var charts = Array.prototype.map.call(document.querySelectorAll('div.chart'), function (d) { return new Chart(d); });\n"
	"  function all() { tables.forEach(refreshTable); charts.forEach(function (c) { c.tick(); }); }\n"
	"  all();\n"
	"  setInterval(all, 2000);\n"
	"});\n";

int web_static(struct web_req *r)
{
	if (!strcmp(r->path, "/static/console.css"))
		return web_respond(r, 200, "text/css; charset=utf-8", css, sizeof css - 1);
	if (!strcmp(r->path, "/static/console.js"))
		return web_respond(r, 200, "text/javascript; charset=utf-8", js, sizeof js - 1);
	return web_text(r, 404, "No such file: %s", r->path);
}
