/*
 * selector.c - JMS message selectors (contract in selector.h).
 *
 * selector_compile() is a recursive-descent parser over a tiny lexer; it
 * builds a tree of nodes. selector_match() evaluates the tree with SQL's
 * three-valued logic: every node yields a value that is a boolean (TRUE,
 * FALSE or UNKNOWN), a number, a string or NULL.
 *
 * Grammar, loosest first:
 *   or      := and (OR and)*
 *   and     := not (AND not)*
 *   not     := NOT not | cmp
 *   cmp     := sum [ (= <> < <= > >=) sum
 *                  | [NOT] BETWEEN sum AND sum
 *                  | [NOT] IN ( literal, ... )
 *                  | [NOT] LIKE string [ESCAPE string]
 *                  | IS [NOT] NULL ]
 *   sum     := product ((+ | -) product)*
 *   product := unary ((* | /) unary)*
 *   unary   := (- | +) unary | primary
 *   primary := number | string | TRUE | FALSE | identifier | ( or )
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "selector.h"

#define MAX_DEPTH 100	/* nesting, so a hostile selector cannot exhaust the stack */

enum node_kind {
	N_NUMBER, N_STRING, N_BOOL, N_IDENT,
	N_OR, N_AND, N_NOT,
	N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE,
	N_ADD, N_SUB, N_MUL, N_DIV, N_NEG,
	N_BETWEEN, N_IN, N_LIKE, N_ISNULL,
};

struct node {
	enum node_kind kind;
	bool negated;		/* NOT BETWEEN, NOT IN, NOT LIKE, IS NOT NULL */
	double num;
	bool boolean;
	char *str;		/* string literal, identifier, LIKE pattern */
	char escape;		/* LIKE ... ESCAPE; 0 when none */
	struct node *a, *b, *c;
	struct node **list;	/* IN (...) */
	size_t nlist;
};

struct selector {
	struct node *root;
};

/* ---- values ---- */

enum tri { T_FALSE, T_TRUE, T_UNKNOWN };

enum value_kind { V_NULL, V_BOOL, V_NUMBER, V_STRING };

struct value {
	enum value_kind kind;
	enum tri b;
	double num;
	const char *str;
};

/* ---- lexer ---- */

enum tok {
	TK_END, TK_NUMBER, TK_STRING, TK_IDENT, TK_LPAREN, TK_RPAREN, TK_COMMA,
	TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE, TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH,
	TK_AND, TK_OR, TK_NOT, TK_IN, TK_LIKE, TK_ESCAPE, TK_BETWEEN, TK_IS, TK_NULL,
	TK_TRUE, TK_FALSE, TK_ERROR,
};

static const struct {
	const char *word;
	enum tok tok;
} keywords[] = {
	{ "AND", TK_AND }, { "OR", TK_OR }, { "NOT", TK_NOT }, { "IN", TK_IN },
	{ "LIKE", TK_LIKE }, { "ESCAPE", TK_ESCAPE }, { "BETWEEN", TK_BETWEEN },
	{ "IS", TK_IS }, { "NULL", TK_NULL }, { "TRUE", TK_TRUE }, { "FALSE", TK_FALSE },
};

struct parser {
	const char *text;
	size_t pos;		/* where the current token starts */
	size_t next;		/* where the one after starts */
	enum tok tok;
	char *tok_str;		/* TK_STRING, TK_IDENT: owned until taken */
	double tok_num;
	int depth;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail_at(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail_at(struct parser *p, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	char what[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "selector: %s at position %zu", what, p->pos + 1);
}

static bool ident_start(int c) { return isalpha(c) || c == '_' || c == '$'; }
static bool ident_part(int c) { return isalnum(c) || c == '_' || c == '$' || c == '.'; }

static void lex(struct parser *p)
{
	free(p->tok_str);
	p->tok_str = NULL;
	const char *s = p->text;
	size_t i = p->next;
	while (isspace((unsigned char)s[i]))
		i++;
	p->pos = i;
	unsigned char c = (unsigned char)s[i];
	if (!c) {
		p->tok = TK_END;
		p->next = i;
		return;
	}
	if (c == '\'') {
		struct buf_lite { char *s; size_t n, cap; } out = { NULL, 0, 0 };
		for (i++; s[i] && !(s[i] == '\'' && s[i + 1] != '\''); i++) {
			if (s[i] == '\'')
				i++;	/* '' stands for one quote */
			if (out.n + 2 > out.cap) {
				size_t cap = out.cap ? out.cap * 2 : 16;
				char *bigger = realloc(out.s, cap);
				if (!bigger)
					break;
				out.s = bigger;
				out.cap = cap;
			}
			out.s[out.n++] = s[i];
		}
		if (s[i] != '\'' || !(out.s || (out.s = malloc(1)))) {
			free(out.s);
			p->tok = TK_ERROR;
			fail_at(p, s[i] ? "out of memory" : "unterminated string literal");
			return;
		}
		out.s[out.n] = '\0';
		p->tok = TK_STRING;
		p->tok_str = out.s;
		p->next = i + 1;
		return;
	}
	if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
		char *end;
		p->tok_num = strtod(s + i, &end);
		if (end > s + i && (*end == 'L' || *end == 'l' || *end == 'F' || *end == 'f' ||
				    *end == 'D' || *end == 'd'))
			end++;	/* Java literal suffixes */
		if (ident_part((unsigned char)*end)) {
			p->tok = TK_ERROR;
			fail_at(p, "malformed number");
			return;
		}
		p->tok = TK_NUMBER;
		p->next = (size_t)(end - s);
		return;
	}
	if (ident_start(c)) {
		size_t j = i;
		while (ident_part((unsigned char)s[j]))
			j++;
		p->next = j;
		for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
			if (strlen(keywords[k].word) == j - i &&
			    !strncasecmp(keywords[k].word, s + i, j - i)) {
				p->tok = keywords[k].tok;
				return;
			}
		}
		p->tok = TK_IDENT;
		p->tok_str = strndup(s + i, j - i);
		if (!p->tok_str) {
			p->tok = TK_ERROR;
			fail_at(p, "out of memory");
		}
		return;
	}
	static const struct {
		const char *op;
		enum tok tok;
	} ops[] = {
		{ "<>", TK_NE }, { "<=", TK_LE }, { ">=", TK_GE }, { "=", TK_EQ }, { "<", TK_LT },
		{ ">", TK_GT }, { "(", TK_LPAREN }, { ")", TK_RPAREN }, { ",", TK_COMMA },
		{ "+", TK_PLUS }, { "-", TK_MINUS }, { "*", TK_STAR }, { "/", TK_SLASH },
	};
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
		size_t n = strlen(ops[k].op);
		if (!strncmp(s + i, ops[k].op, n)) {
			p->tok = ops[k].tok;
			p->next = i + n;
			return;
		}
	}
	p->tok = TK_ERROR;
	fail_at(p, "unexpected character '%c'", c);
}

/* ---- parser ---- */

static void node_free(struct node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	node_free(n->c);
	for (size_t i = 0; i < n->nlist; i++)
		node_free(n->list[i]);
	free(n->list);
	free(n->str);
	free(n);
}

static struct node *new_node(struct parser *p, enum node_kind kind, struct node *a,
			     struct node *b)
{
	struct node *n = calloc(1, sizeof *n);
	if (!n) {
		fail_at(p, "out of memory");
		node_free(a);
		node_free(b);
		return NULL;
	}
	n->kind = kind;
	n->a = a;
	n->b = b;
	return n;
}

static bool accept(struct parser *p, enum tok t)
{
	if (p->tok != t)
		return false;
	lex(p);
	return true;
}

static bool expect(struct parser *p, enum tok t, const char *what)
{
	if (accept(p, t))
		return true;
	fail_at(p, "expected %s", what);
	return false;
}

static struct node *parse_or(struct parser *p);
static struct node *parse_sum(struct parser *p);

static struct node *parse_primary(struct parser *p)
{
	struct node *n = NULL;
	switch (p->tok) {
	case TK_NUMBER:
		if ((n = new_node(p, N_NUMBER, NULL, NULL)))
			n->num = p->tok_num;
		lex(p);
		return n;
	case TK_STRING:
	case TK_IDENT:
		if ((n = new_node(p, p->tok == TK_STRING ? N_STRING : N_IDENT, NULL, NULL))) {
			n->str = p->tok_str;
			p->tok_str = NULL;
		}
		lex(p);
		return n;
	case TK_TRUE:
	case TK_FALSE:
		if ((n = new_node(p, N_BOOL, NULL, NULL)))
			n->boolean = p->tok == TK_TRUE;
		lex(p);
		return n;
	case TK_LPAREN:
		lex(p);
		n = parse_or(p);
		if (n && !expect(p, TK_RPAREN, "')'")) {
			node_free(n);
			return NULL;
		}
		return n;
	case TK_END:
		fail_at(p, "unexpected end, expected a value");
		return NULL;
	default:
		fail_at(p, "expected a value");
		return NULL;
	}
}

static struct node *parse_unary(struct parser *p)
{
	if (++p->depth > MAX_DEPTH) {
		fail_at(p, "nested too deeply (more than %d levels)", MAX_DEPTH);
		return NULL;
	}
	struct node *n;
	if (accept(p, TK_MINUS)) {
		struct node *a = parse_unary(p);
		n = a ? new_node(p, N_NEG, a, NULL) : NULL;
	} else if (accept(p, TK_PLUS)) {
		n = parse_unary(p);
	} else {
		n = parse_primary(p);
	}
	p->depth--;
	return n;
}

/* Left-associative binary levels: product and sum. */
static struct node *parse_product(struct parser *p)
{
	struct node *n = parse_unary(p);
	while (n && (p->tok == TK_STAR || p->tok == TK_SLASH)) {
		enum node_kind k = p->tok == TK_STAR ? N_MUL : N_DIV;
		lex(p);
		struct node *b = parse_unary(p);
		n = b ? new_node(p, k, n, b) : (node_free(n), NULL);
	}
	return n;
}

static struct node *parse_sum(struct parser *p)
{
	struct node *n = parse_product(p);
	while (n && (p->tok == TK_PLUS || p->tok == TK_MINUS)) {
		enum node_kind k = p->tok == TK_PLUS ? N_ADD : N_SUB;
		lex(p);
		struct node *b = parse_product(p);
		n = b ? new_node(p, k, n, b) : (node_free(n), NULL);
	}
	return n;
}

static struct node *parse_literal(struct parser *p)
{
	if (p->tok == TK_MINUS || p->tok == TK_PLUS || p->tok == TK_NUMBER ||
	    p->tok == TK_STRING)
		return parse_unary(p);
	fail_at(p, "expected a string or number literal");
	return NULL;
}

static struct node *parse_in(struct parser *p, struct node *n)
{
	n = new_node(p, N_IN, n, NULL);
	if (!n || !expect(p, TK_LPAREN, "'(' after IN"))
		goto fail;
	do {
		struct node *item = parse_literal(p);
		if (!item)
			goto fail;
		struct node **l = realloc(n->list, (n->nlist + 1) * sizeof *l);
		if (!l) {
			node_free(item);
			fail_at(p, "out of memory");
			goto fail;
		}
		n->list = l;
		n->list[n->nlist++] = item;
	} while (accept(p, TK_COMMA));
	if (!expect(p, TK_RPAREN, "')' or ',' in the IN list"))
		goto fail;
	return n;
fail:
	node_free(n);
	return NULL;
}

static struct node *parse_like(struct parser *p, struct node *n)
{
	n = new_node(p, N_LIKE, n, NULL);
	if (!n)
		return NULL;
	if (p->tok != TK_STRING) {
		fail_at(p, "expected a string pattern after LIKE");
		goto fail;
	}
	n->str = p->tok_str;
	p->tok_str = NULL;
	lex(p);
	if (accept(p, TK_ESCAPE)) {
		if (p->tok != TK_STRING || strlen(p->tok_str) != 1) {
			fail_at(p, "expected a one-character string after ESCAPE");
			goto fail;
		}
		n->escape = p->tok_str[0];
		lex(p);
	}
	return n;
fail:
	node_free(n);
	return NULL;
}

static struct node *parse_cmp(struct parser *p)
{
	struct node *n = parse_sum(p);
	if (!n)
		return NULL;
	static const struct {
		enum tok tok;
		enum node_kind kind;
	} cmps[] = {
		{ TK_EQ, N_EQ }, { TK_NE, N_NE }, { TK_LT, N_LT },
		{ TK_LE, N_LE }, { TK_GT, N_GT }, { TK_GE, N_GE },
	};
	for (size_t i = 0; i < sizeof cmps / sizeof cmps[0]; i++) {
		if (p->tok == cmps[i].tok) {
			lex(p);
			struct node *b = parse_sum(p);
			return b ? new_node(p, cmps[i].kind, n, b) : (node_free(n), NULL);
		}
	}
	if (accept(p, TK_IS)) {
		bool neg = accept(p, TK_NOT);
		if (!expect(p, TK_NULL, "NULL after IS")) {
			node_free(n);
			return NULL;
		}
		n = new_node(p, N_ISNULL, n, NULL);
		if (n)
			n->negated = neg;
		return n;
	}
	bool neg = accept(p, TK_NOT);
	if (accept(p, TK_BETWEEN)) {
		struct node *lo = parse_sum(p), *hi = NULL;
		if (lo && expect(p, TK_AND, "AND in BETWEEN"))
			hi = parse_sum(p);
		if (!hi) {
			node_free(n);
			node_free(lo);
			return NULL;
		}
		n = new_node(p, N_BETWEEN, n, lo);
		if (n)
			n->c = hi;
		else
			node_free(hi);
	} else if (accept(p, TK_IN)) {
		n = parse_in(p, n);
	} else if (accept(p, TK_LIKE)) {
		n = parse_like(p, n);
	} else if (neg) {
		fail_at(p, "expected BETWEEN, IN or LIKE after NOT");
		node_free(n);
		return NULL;
	}
	if (n)
		n->negated = neg;
	return n;
}

static struct node *parse_not(struct parser *p)
{
	if (++p->depth > MAX_DEPTH) {
		fail_at(p, "nested too deeply (more than %d levels)", MAX_DEPTH);
		return NULL;
	}
	struct node *n;
	if (accept(p, TK_NOT)) {
		struct node *a = parse_not(p);
		n = a ? new_node(p, N_NOT, a, NULL) : NULL;
	} else {
		n = parse_cmp(p);
	}
	p->depth--;
	return n;
}

static struct node *parse_and(struct parser *p)
{
	struct node *n = parse_not(p);
	while (n && accept(p, TK_AND)) {
		struct node *b = parse_not(p);
		n = b ? new_node(p, N_AND, n, b) : (node_free(n), NULL);
	}
	return n;
}

static struct node *parse_or(struct parser *p)
{
	if (++p->depth > MAX_DEPTH) {
		fail_at(p, "nested too deeply (more than %d levels)", MAX_DEPTH);
		return NULL;
	}
	struct node *n = parse_and(p);
	while (n && accept(p, TK_OR)) {
		struct node *b = parse_and(p);
		n = b ? new_node(p, N_OR, n, b) : (node_free(n), NULL);
	}
	p->depth--;
	return n;
}

struct selector *selector_compile(const char *text, char *err, size_t errlen)
{
	struct parser p = { .text = text, .err = err, .errlen = errlen };
	lex(&p);
	struct node *root = NULL;
	if (p.tok == TK_END)
		fail_at(&p, "empty selector");
	else if (!p.failed)
		root = parse_or(&p);
	if (root && !p.failed && p.tok != TK_END)
		fail_at(&p, "unexpected text after the end of the expression");
	free(p.tok_str);
	struct selector *s = NULL;
	if (!p.failed && root && (s = malloc(sizeof *s))) {
		s->root = root;
		return s;
	}
	if (!p.failed)
		snprintf(err, errlen, "selector: out of memory");
	node_free(root);
	return NULL;
}

void selector_free(struct selector *s)
{
	if (!s)
		return;
	node_free(s->root);
	free(s);
}

/* ---- evaluation ---- */

struct eval {
	selector_lookup_fn lookup;
	void *ctx;
};

static bool as_number(const struct value *v, double *out)
{
	if (v->kind == V_NUMBER) {
		*out = v->num;
		return true;
	}
	if (v->kind != V_STRING || !*v->str)
		return false;
	char *end;
	*out = strtod(v->str, &end);
	return *end == '\0' && !isspace((unsigned char)v->str[0]);
}

static struct value eval(const struct eval *e, const struct node *n);

static enum tri truth(const struct eval *e, const struct node *n)
{
	struct value v = eval(e, n);
	if (v.kind == V_BOOL)
		return v.b;
	if (v.kind == V_STRING) {	/* a header holding a boolean */
		if (!strcasecmp(v.str, "true"))
			return T_TRUE;
		if (!strcasecmp(v.str, "false"))
			return T_FALSE;
	}
	return T_UNKNOWN;
}

static struct value boolean(enum tri b)
{
	return (struct value){ .kind = V_BOOL, .b = b };
}

static struct value number(double d)
{
	return (struct value){ .kind = V_NUMBER, .num = d };
}

static struct value null_value(void)
{
	return (struct value){ .kind = V_NULL };
}

/* -2 unknown, else -1/0/1; *equality_only when only = and <> make sense. */
static int compare(const struct value *a, const struct value *b, bool *equality_only)
{
	double x, y;
	*equality_only = false;
	if (a->kind == V_NULL || b->kind == V_NULL)
		return -2;
	if (as_number(a, &x) && as_number(b, &y))
		return x < y ? -1 : x > y ? 1 : 0;
	*equality_only = true;
	if (a->kind == V_BOOL || b->kind == V_BOOL) {
		if (a->kind == V_BOOL && b->kind == V_BOOL)
			return a->b == b->b ? 0 : 1;
		const struct value *bv = a->kind == V_BOOL ? a : b;
		const struct value *sv = a->kind == V_BOOL ? b : a;
		if (sv->kind != V_STRING)
			return -2;
		bool t = !strcasecmp(sv->str, "true");
		if (!t && strcasecmp(sv->str, "false"))
			return 1;
		return (bv->b == T_TRUE) == t ? 0 : 1;
	}
	if (a->kind == V_STRING && b->kind == V_STRING)
		return strcmp(a->str, b->str) ? 1 : 0;
	return 1;	/* a number and a string that is not one: different */
}

/* SQL LIKE: % any run, _ one character, esc makes the next one literal. */
static bool like(const char *s, const char *pat, char esc)
{
	for (; *pat; pat++) {
		if (esc && *pat == esc && pat[1]) {
			pat++;
			if (*s++ != *pat)
				return false;
			continue;
		}
		if (*pat == '%') {
			while (pat[1] == '%')
				pat++;
			if (!pat[1])
				return true;
			for (; *s; s++)
				if (like(s, pat + 1, esc))
					return true;
			return like(s, pat + 1, esc);
		}
		if (!*s || (*pat != '_' && *pat != *s))
			return false;
		s++;
	}
	return !*s;
}

static enum tri not3(enum tri t)
{
	return t == T_UNKNOWN ? T_UNKNOWN : t == T_TRUE ? T_FALSE : T_TRUE;
}

static struct value arith(const struct eval *e, const struct node *n)
{
	struct value a = eval(e, n->a), b = eval(e, n->b);
	double x, y;
	if (!as_number(&a, &x) || !as_number(&b, &y))
		return null_value();
	switch (n->kind) {
	case N_ADD: return number(x + y);
	case N_SUB: return number(x - y);
	case N_MUL: return number(x * y);
	default: return y == 0 ? null_value() : number(x / y);
	}
}

static struct value eval(const struct eval *e, const struct node *n)
{
	switch (n->kind) {
	case N_NUMBER:
		return number(n->num);
	case N_STRING:
		return (struct value){ .kind = V_STRING, .str = n->str };
	case N_BOOL:
		return boolean(n->boolean ? T_TRUE : T_FALSE);
	case N_IDENT: {
		const char *v = e->lookup(e->ctx, n->str);
		return v ? (struct value){ .kind = V_STRING, .str = v } : null_value();
	}
	case N_OR: {
		enum tri a = truth(e, n->a);
		if (a == T_TRUE)
			return boolean(T_TRUE);
		enum tri b = truth(e, n->b);
		return boolean(b == T_TRUE ? T_TRUE : a == T_UNKNOWN || b == T_UNKNOWN
			       ? T_UNKNOWN : T_FALSE);
	}
	case N_AND: {
		enum tri a = truth(e, n->a);
		if (a == T_FALSE)
			return boolean(T_FALSE);
		enum tri b = truth(e, n->b);
		return boolean(b == T_FALSE ? T_FALSE : a == T_UNKNOWN || b == T_UNKNOWN
			       ? T_UNKNOWN : T_TRUE);
	}
	case N_NOT:
		return boolean(not3(truth(e, n->a)));
	case N_EQ: case N_NE: case N_LT: case N_LE: case N_GT: case N_GE: {
		struct value a = eval(e, n->a), b = eval(e, n->b);
		bool eq_only;
		int c = compare(&a, &b, &eq_only);
		if (c == -2)
			return boolean(T_UNKNOWN);
		if (eq_only && n->kind != N_EQ && n->kind != N_NE)
			return boolean(T_FALSE);	/* < > on strings: false, as in JMS */
		bool r = n->kind == N_EQ ? c == 0 : n->kind == N_NE ? c != 0
			: n->kind == N_LT ? c < 0 : n->kind == N_LE ? c <= 0
			: n->kind == N_GT ? c > 0 : c >= 0;
		return boolean(r ? T_TRUE : T_FALSE);
	}
	case N_ADD: case N_SUB: case N_MUL: case N_DIV:
		return arith(e, n);
	case N_NEG: {
		struct value a = eval(e, n->a);
		double x;
		return as_number(&a, &x) ? number(-x) : null_value();
	}
	case N_BETWEEN: {
		struct value v = eval(e, n->a), lo = eval(e, n->b), hi = eval(e, n->c);
		double x, l, h;
		if (!as_number(&v, &x) || !as_number(&lo, &l) || !as_number(&hi, &h))
			return boolean(T_UNKNOWN);
		enum tri t = x >= l && x <= h ? T_TRUE : T_FALSE;
		return boolean(n->negated ? not3(t) : t);
	}
	case N_IN: {
		struct value v = eval(e, n->a);
		if (v.kind == V_NULL)
			return boolean(T_UNKNOWN);
		enum tri t = T_FALSE;
		for (size_t i = 0; i < n->nlist && t == T_FALSE; i++) {
			struct value item = eval(e, n->list[i]);
			bool eq_only;
			if (compare(&v, &item, &eq_only) == 0)
				t = T_TRUE;
		}
		return boolean(n->negated ? not3(t) : t);
	}
	case N_LIKE: {
		struct value v = eval(e, n->a);
		if (v.kind != V_STRING)
			return boolean(T_UNKNOWN);
		enum tri t = like(v.str, n->str, n->escape) ? T_TRUE : T_FALSE;
		return boolean(n->negated ? not3(t) : t);
	}
	case N_ISNULL: {
		struct value v = eval(e, n->a);
		bool isnull = v.kind == V_NULL;
		return boolean(isnull != n->negated ? T_TRUE : T_FALSE);
	}
	}
	return null_value();
}

bool selector_match(const struct selector *s, selector_lookup_fn lookup, void *ctx)
{
	struct eval e = { lookup, ctx };
	return truth(&e, s->root) == T_TRUE;
}
