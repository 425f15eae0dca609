/*
 * selector.c - JMS message selectors (contract in selector.h).
 *
 * selector_compile() runs a recursive-descent parser over a small lexer and
 * builds a tree of tagged nodes (struct node); selector_match() walks that
 * tree once per message with SQL's three-valued logic, every node yielding
 * a struct value. Start reading at selector_compile().
 *
 * Grammar, loosest first:
 *   or      := and (OR and)*
 *   and     := not (AND not)*
 *   not     := NOT* cmp
 *   cmp     := sum [ (= <> < <= > >=) sum
 *                  | [NOT] BETWEEN sum AND sum
 *                  | [NOT] IN ( literal (, literal)* )
 *                  | [NOT] LIKE string [ESCAPE string]
 *                  | IS [NOT] NULL ]
 *   sum     := product ((+ | -) product)*
 *   product := unary ((* | /) unary)*
 *   unary   := (- | +)* primary
 *   primary := number | string | TRUE | FALSE | identifier | ( or )
 *
 * Values: a header is text that reads as a number when it is one ("5" = 5
 * is numeric) and as a boolean when it says true or false; a quoted
 * literal is always a string, as in JMS, so color = 'red' never turns
 * numeric and '05' = '5' is false.
 *
 * Hostile input: the parser recurses only at '(', so MAX_DEPTH bounds its
 * stack; runs of NOT and of signs are counted, not nested, AND and OR
 * chains are flat lists, and no tree grows taller than MAX_HEIGHT, which
 * bounds the recursion of eval() and node_free(). LIKE matching is
 * iterative, O(pattern * value), whatever the pattern.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "selector.h"

#define MAX_DEPTH 100	/* nested parentheses */
#define MAX_HEIGHT 1000	/* levels of the tree, e.g. a chain of 1000 '+' */

enum node_kind {
	N_NUMBER, N_STRING, N_BOOL, N_IDENT,
	N_OR, N_AND, N_NOT,
	N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE,
	N_ADD, N_SUB, N_MUL, N_DIV, N_SIGN,
	N_BETWEEN, N_IN, N_LIKE, N_ISNULL,
};

struct node {
	enum node_kind kind;
	/* NOT BETWEEN, NOT IN, NOT LIKE, IS NOT NULL; for N_NOT an odd number
	 * of NOTs and for N_SIGN an odd number of '-' */
	bool negated;
	bool boolean;		/* N_BOOL */
	char escape;		/* LIKE ... ESCAPE; 0 when none */
	unsigned height;	/* 1 for a leaf */
	double num;		/* N_NUMBER */
	char *str;		/* string literal, identifier, LIKE pattern */
	struct node *a, *b, *c;
	struct node **list;	/* operands of N_AND and N_OR, literals of N_IN */
	size_t nlist, cap;
};

struct selector {
	struct node *root;
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

/* Longest first, so that "<=" is not read as "<" then "=". */
static const struct {
	const char *op;
	enum tok tok;
} operators[] = {
	{ "<>", TK_NE }, { "<=", TK_LE }, { ">=", TK_GE }, { "=", TK_EQ }, { "<", TK_LT },
	{ ">", TK_GT }, { "(", TK_LPAREN }, { ")", TK_RPAREN }, { ",", TK_COMMA },
	{ "+", TK_PLUS }, { "-", TK_MINUS }, { "*", TK_STAR }, { "/", TK_SLASH },
};

struct parser {
	const char *text;
	size_t pos;		/* where the current token starts */
	size_t next;		/* where the one after starts */
	enum tok tok;
	char *tok_str;		/* TK_STRING, TK_IDENT: owned until taken */
	double tok_num;
	int depth;		/* open parentheses */
	char *err;
	size_t errlen;
	bool failed;		/* only the first error is reported */
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
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "selector: %s at position %zu", what, p->pos + 1);
}

/* Java identifier characters (ASCII), plus '.' inside, as ActiveMQ allows. */
static bool ident_start(int c) { return isalpha(c) || c == '_' || c == '$'; }
static bool ident_part(int c) { return isalnum(c) || c == '_' || c == '$' || c == '.'; }

/* 'it''s' -> it's. The literal is measured first, then copied. */
static void lex_string(struct parser *p)
{
	const char *s = p->text;
	size_t i = p->pos + 1, n = 0;
	for (;; i++, n++) {
		if (!s[i]) {
			p->tok = TK_ERROR;
			fail_at(p, "unterminated string literal");
			return;
		}
		if (s[i] == '\'') {
			if (s[i + 1] != '\'')
				break;
			i++;
		}
	}
	char *out = malloc(n + 1);
	if (!out) {
		p->tok = TK_ERROR;
		fail_at(p, "out of memory");
		return;
	}
	n = 0;
	for (size_t j = p->pos + 1; j < i; j++) {
		out[n++] = s[j];
		if (s[j] == '\'')
			j++;
	}
	out[n] = '\0';
	p->tok = TK_STRING;
	p->tok_str = out;
	p->next = i + 1;
}

/* Decimal, exponent or 0x hex, with a Java suffix (10L, 1.5f) tolerated. */
static void lex_number(struct parser *p)
{
	const char *s = p->text + p->pos;
	char *end;
	p->tok_num = strtod(s, &end);
	if (*end && strchr("LlFfDd", *end))
		end++;
	if (ident_part((unsigned char)*end)) {
		p->tok = TK_ERROR;
		fail_at(p, "malformed number");
		return;
	}
	p->tok = TK_NUMBER;
	p->next = p->pos + (size_t)(end - s);
}

static void lex_word(struct parser *p)
{
	const char *s = p->text + p->pos;
	size_t n = 0;
	while (ident_part((unsigned char)s[n]))
		n++;
	p->next = p->pos + n;
	for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
		if (strlen(keywords[k].word) == n && !strncasecmp(keywords[k].word, s, n)) {
			p->tok = keywords[k].tok;
			return;
		}
	}
	p->tok = TK_IDENT;
	p->tok_str = strndup(s, n);
	if (!p->tok_str) {
		p->tok = TK_ERROR;
		fail_at(p, "out of memory");
	}
}

/* Reads the token at p->next into p->tok (and p->tok_str, p->tok_num). */
static void lex(struct parser *p)
{
	free(p->tok_str);
	p->tok_str = NULL;
	const char *s = p->text;
	size_t i = p->next;
	while (isspace((unsigned char)s[i]))
		i++;
	p->pos = p->next = i;
	unsigned char c = (unsigned char)s[i];
	if (!c) {
		p->tok = TK_END;
	} else if (c == '\'') {
		lex_string(p);
	} else if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
		lex_number(p);
	} else if (ident_start(c)) {
		lex_word(p);
	} else {
		for (size_t k = 0; k < sizeof operators / sizeof operators[0]; k++) {
			size_t n = strlen(operators[k].op);
			if (!strncmp(s + i, operators[k].op, n)) {
				p->tok = operators[k].tok;
				p->next = i + n;
				return;
			}
		}
		p->tok = TK_ERROR;
		if (isprint(c))
			fail_at(p, "unexpected character '%c'", c);
		else
			fail_at(p, "unexpected byte 0x%02x", c);
	}
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

/* A node over a and b, which it takes: freed here when it cannot be made. */
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
	n->height = 1;
	n->a = a;
	n->b = b;
	return n;
}

/* Called on every node once its children are in place: works out its
 * height and refuses (frees) a tree too tall to walk recursively. */
static struct node *seal(struct parser *p, struct node *n)
{
	if (!n)
		return NULL;
	const struct node *kids[] = { n->a, n->b, n->c };
	for (size_t i = 0; i < 3 + n->nlist; i++) {
		const struct node *k = i < 3 ? kids[i] : n->list[i - 3];
		if (k && k->height + 1 > n->height)
			n->height = k->height + 1;
	}
	if (n->height > MAX_HEIGHT) {
		fail_at(p, "expression too complex (more than %d levels)", MAX_HEIGHT);
		node_free(n);
		return NULL;
	}
	return n;
}

/* Appends item to n->list, taking it either way. */
static bool push(struct parser *p, struct node *n, struct node *item)
{
	if (n->nlist == n->cap) {
		size_t cap = n->cap ? 2 * n->cap : 4;
		struct node **l = realloc(n->list, cap * sizeof *l);
		if (!l) {
			fail_at(p, "out of memory");
			node_free(item);
			return false;
		}
		n->list = l;
		n->cap = cap;
	}
	n->list[n->nlist++] = item;
	return true;
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
	if (p->tok == TK_END)
		fail_at(p, "unexpected end, expected %s", what);
	else
		fail_at(p, "expected %s", what);
	return false;
}

static struct node *parse_or(struct parser *p);

/* Takes the current string or identifier token into a leaf. */
static struct node *take_leaf(struct parser *p, enum node_kind kind)
{
	struct node *n = new_node(p, kind, NULL, NULL);
	if (n) {
		n->str = p->tok_str;
		p->tok_str = NULL;
	}
	lex(p);
	return n;
}

static struct node *parse_primary(struct parser *p)
{
	struct node *n;
	switch (p->tok) {
	case TK_NUMBER:
		if ((n = new_node(p, N_NUMBER, NULL, NULL)))
			n->num = p->tok_num;
		lex(p);
		return n;
	case TK_STRING:
		return take_leaf(p, N_STRING);
	case TK_IDENT:
		return take_leaf(p, N_IDENT);
	case TK_TRUE:
	case TK_FALSE:
		if ((n = new_node(p, N_BOOL, NULL, NULL)))
			n->boolean = p->tok == TK_TRUE;
		lex(p);
		return n;
	case TK_LPAREN:
		if (p->depth >= MAX_DEPTH) {
			fail_at(p, "nested too deeply (more than %d parentheses)", MAX_DEPTH);
			return NULL;
		}
		p->depth++;
		lex(p);
		n = parse_or(p);
		p->depth--;
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

/* Signs are counted rather than nested: ten thousand of them cost nothing. */
static struct node *parse_unary(struct parser *p)
{
	bool sign = false, negative = false;
	while (p->tok == TK_MINUS || p->tok == TK_PLUS) {
		negative ^= p->tok == TK_MINUS;
		sign = true;
		lex(p);
	}
	struct node *n = parse_primary(p);
	if (!n || !sign)
		return n;
	n = seal(p, new_node(p, N_SIGN, n, NULL));
	if (n)
		n->negated = negative;
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
		n = b ? seal(p, new_node(p, k, n, b)) : (node_free(n), NULL);
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
		n = b ? seal(p, new_node(p, k, n, b)) : (node_free(n), NULL);
	}
	return n;
}

/* An IN list item: a string, or a number with its signs folded in. */
static struct node *parse_literal(struct parser *p)
{
	if (p->tok == TK_STRING)
		return take_leaf(p, N_STRING);
	bool negative = false;
	while (p->tok == TK_MINUS || p->tok == TK_PLUS) {
		negative ^= p->tok == TK_MINUS;
		lex(p);
	}
	if (p->tok != TK_NUMBER) {
		fail_at(p, "expected a string or number literal in the IN list");
		return NULL;
	}
	struct node *n = new_node(p, N_NUMBER, NULL, NULL);
	if (n)
		n->num = negative ? -p->tok_num : p->tok_num;
	lex(p);
	return n;
}

static struct node *parse_in(struct parser *p, struct node *n)
{
	n = new_node(p, N_IN, n, NULL);
	if (!n || !expect(p, TK_LPAREN, "'(' after IN"))
		goto fail;
	do {
		struct node *item = parse_literal(p);
		if (!item || !push(p, n, item))
			goto fail;
	} while (accept(p, TK_COMMA));
	if (!expect(p, TK_RPAREN, "')' or ',' in the IN list"))
		goto fail;
	return seal(p, n);
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
	return seal(p, n);
fail:
	node_free(n);
	return NULL;
}

static struct node *parse_between(struct parser *p, struct node *n)
{
	struct node *lo = parse_sum(p), *hi = NULL;
	if (lo && expect(p, TK_AND, "AND in BETWEEN"))
		hi = parse_sum(p);
	if (!hi) {
		node_free(n);
		node_free(lo);
		return NULL;
	}
	n = new_node(p, N_BETWEEN, n, lo);
	if (!n) {
		node_free(hi);
		return NULL;
	}
	n->c = hi;
	return seal(p, n);
}

static const struct {
	enum tok tok;
	enum node_kind kind;
} comparisons[] = {
	{ TK_EQ, N_EQ }, { TK_NE, N_NE }, { TK_LT, N_LT },
	{ TK_LE, N_LE }, { TK_GT, N_GT }, { TK_GE, N_GE },
};

static struct node *parse_cmp(struct parser *p)
{
	struct node *n = parse_sum(p);
	if (!n)
		return NULL;
	for (size_t i = 0; i < sizeof comparisons / sizeof comparisons[0]; i++) {
		if (p->tok == comparisons[i].tok) {
			lex(p);
			struct node *b = parse_sum(p);
			return b ? seal(p, new_node(p, comparisons[i].kind, n, b))
				 : (node_free(n), NULL);
		}
	}
	if (accept(p, TK_IS)) {
		bool neg = accept(p, TK_NOT);
		if (!expect(p, TK_NULL, "NULL after IS")) {
			node_free(n);
			return NULL;
		}
		n = seal(p, new_node(p, N_ISNULL, n, NULL));
		if (n)
			n->negated = neg;
		return n;
	}
	bool neg = accept(p, TK_NOT);
	if (accept(p, TK_BETWEEN)) {
		n = parse_between(p, n);
	} else if (accept(p, TK_IN)) {
		n = parse_in(p, n);
	} else if (accept(p, TK_LIKE)) {
		n = parse_like(p, n);
	} else {
		if (neg) {
			fail_at(p, "expected BETWEEN, IN or LIKE after NOT");
			node_free(n);
			return NULL;
		}
		return n;	/* a bare value, whose own flags stand */
	}
	if (n)
		n->negated = neg;
	return n;
}

/* NOTs are counted rather than nested. Even an even number of them keeps
 * a node: the operand still has to be read as a condition. */
static struct node *parse_not(struct parser *p)
{
	size_t nots = 0;
	while (accept(p, TK_NOT))
		nots++;
	struct node *n = parse_cmp(p);
	if (!n || !nots)
		return n;
	n = seal(p, new_node(p, N_NOT, n, NULL));
	if (n)
		n->negated = nots % 2;
	return n;
}

/* AND and OR chains become one node with a list, however long. */
static struct node *parse_chain(struct parser *p, enum tok op, enum node_kind kind,
				struct node *(*operand)(struct parser *))
{
	struct node *first = operand(p);
	if (!first || p->tok != op)
		return first;
	struct node *n = new_node(p, kind, NULL, NULL);
	if (!n || !push(p, n, first))
		goto fail;
	while (accept(p, op)) {
		struct node *item = operand(p);
		if (!item || !push(p, n, item))
			goto fail;
	}
	return seal(p, n);
fail:
	if (!n)
		node_free(first);
	node_free(n);
	return NULL;
}

static struct node *parse_and(struct parser *p)
{
	return parse_chain(p, TK_AND, N_AND, parse_not);
}

static struct node *parse_or(struct parser *p)
{
	return parse_chain(p, TK_OR, N_OR, parse_and);
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
		fail_at(&p, "unexpected %s after the end of the expression",
			p.tok == TK_RPAREN ? "')'" : "text");
	free(p.tok_str);
	struct selector *s = NULL;
	if (!p.failed && root && (s = malloc(sizeof *s))) {
		s->root = root;
		return s;
	}
	if (!p.failed && err && errlen)
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

enum tri { T_FALSE, T_TRUE, T_UNKNOWN };

/* V_HEADER is a header's text, which may read as a number or a boolean;
 * V_STRING a quoted literal, which is only ever a string. */
enum value_kind { V_NULL, V_BOOL, V_NUMBER, V_STRING, V_HEADER };

struct value {
	enum value_kind kind;
	enum tri b;
	double num;
	const char *str;	/* V_STRING, V_HEADER: borrowed */
};

struct eval {
	selector_lookup_fn lookup;
	void *ctx;
};

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

static bool is_text(const struct value *v)
{
	return v->kind == V_STRING || v->kind == V_HEADER;
}

/* A header reads as a number when strtod() takes all of it. Only text that
 * starts like a number qualifies: strtod() would also skip blanks and
 * accept "nan" and "inf", which no producer means as numbers. */
static bool as_number(const struct value *v, double *out)
{
	if (v->kind == V_NUMBER) {
		*out = v->num;
		return true;
	}
	if (v->kind != V_HEADER)
		return false;
	const char *s = v->str, *d = s + (*s == '+' || *s == '-');
	if (!isdigit((unsigned char)*d) && !(*d == '.' && isdigit((unsigned char)d[1])))
		return false;
	char *end;
	*out = strtod(s, &end);
	return *end == '\0';
}

/* "true"/"false" in any case, else T_UNKNOWN. */
static enum tri text_truth(const char *s)
{
	return !strcasecmp(s, "true") ? T_TRUE : !strcasecmp(s, "false") ? T_FALSE
	       : T_UNKNOWN;
}

static enum tri not3(enum tri t)
{
	return t == T_UNKNOWN ? T_UNKNOWN : t == T_TRUE ? T_FALSE : T_TRUE;
}

static struct value eval(const struct eval *e, const struct node *n);

/* The node read as a condition: a boolean, or a header saying true or
 * false; anything else (a number, other text, NULL) is unknown. */
static enum tri truth(const struct eval *e, const struct node *n)
{
	struct value v = eval(e, n);
	if (v.kind == V_BOOL)
		return v.b;
	if (v.kind == V_HEADER)
		return text_truth(v.str);
	return T_UNKNOWN;
}

enum order { O_UNKNOWN, O_LESS, O_EQUAL, O_GREATER, O_SAME, O_DIFFERENT };

/* Numbers order; booleans and text only compare equal (O_SAME) or not
 * (O_DIFFERENT); NULL, NaN and a boolean against a number are unknown. */
static enum order compare(const struct value *a, const struct value *b)
{
	double x, y;
	if (a->kind == V_NULL || b->kind == V_NULL)
		return O_UNKNOWN;
	if (as_number(a, &x) && as_number(b, &y)) {
		if (isnan(x) || isnan(y))
			return O_UNKNOWN;
		return x < y ? O_LESS : x > y ? O_GREATER : O_EQUAL;
	}
	if (a->kind == V_BOOL || b->kind == V_BOOL) {
		const struct value *other = a->kind == V_BOOL ? b : a;
		enum tri t = a->kind == V_BOOL ? a->b : b->b;
		enum tri u = other->kind == V_BOOL ? other->b
			     : is_text(other) ? text_truth(other->str) : T_UNKNOWN;
		if (t == T_UNKNOWN || (u == T_UNKNOWN && !is_text(other)))
			return O_UNKNOWN;
		return t == u ? O_SAME : O_DIFFERENT;
	}
	if (is_text(a) && is_text(b))
		return strcmp(a->str, b->str) ? O_DIFFERENT : O_SAME;
	return O_DIFFERENT;	/* a number and text that is not one */
}

static enum tri comparison(enum node_kind kind, enum order o)
{
	bool r;
	if (o == O_UNKNOWN)
		return T_UNKNOWN;
	if (o == O_SAME || o == O_DIFFERENT) {
		/* only = and <> apply to strings and booleans; < > are false, as in JMS */
		r = kind == N_EQ ? o == O_SAME : kind == N_NE ? o == O_DIFFERENT : false;
	} else {
		r = kind == N_EQ ? o == O_EQUAL : kind == N_NE ? o != O_EQUAL
		    : kind == N_LT ? o == O_LESS : kind == N_LE ? o != O_GREATER
		    : kind == N_GT ? o == O_GREATER : o != O_LESS;
	}
	return r ? T_TRUE : T_FALSE;
}

/* Bytes in the character at s: a whole UTF-8 sequence when it is one, else
 * one byte, so '_' matches a character and bad input still moves on. */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 : 1;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* SQL LIKE: '%' any run, '_' one character, esc makes the next character
 * literal (a trailing esc stands for itself). Greedy with one backtrack
 * point, the last '%': enough because a '%' can absorb whatever an
 * earlier one would have. */
static bool like(const char *s, const char *pat, char esc)
{
	const char *star_pat = NULL, *star_s = NULL;
	for (;;) {
		char pc = *pat;
		const char *next = pc ? pat + 1 : pat;
		bool literal = false;
		if (esc && pc == esc) {
			literal = true;
			if (pat[1]) {
				pc = pat[1];
				next = pat + 2;
			}
		}
		if (pc == '%' && !literal) {
			pat = star_pat = next;
			star_s = s;
			continue;
		}
		if (!*s)
			return !pc;
		if (pc == '_' && !literal) {
			s += char_len(s);
			pat = next;
			continue;
		}
		if (pc && pc == *s) {
			s++;
			pat = next;
			continue;
		}
		if (!star_pat)
			return false;
		star_s += char_len(star_s);
		s = star_s;
		pat = star_pat;
	}
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

/* AND and OR over a list: false (true) decides at once, unknown sticks. */
static enum tri chain(const struct eval *e, const struct node *n, enum tri decisive)
{
	enum tri r = not3(decisive);
	for (size_t i = 0; i < n->nlist; i++) {
		enum tri t = truth(e, n->list[i]);
		if (t == decisive)
			return t;
		if (t == T_UNKNOWN)
			r = T_UNKNOWN;
	}
	return r;
}

static enum tri maybe_not(const struct node *n, enum tri t)
{
	return n->negated ? not3(t) : t;
}

/* An identifier's value: a header's text, or what its type says (a JMS
 * String property stays a string even when it reads "5"). */
static struct value identifier(const struct eval *e, const char *name)
{
	enum selector_type type = SELECTOR_TEXT;
	const char *v = e->lookup(e->ctx, name, &type);
	if (!v)
		return null_value();
	switch (type) {
	case SELECTOR_STRING:
		return (struct value){ .kind = V_STRING, .str = v };
	case SELECTOR_NUMBER:
		return number(strtod(v, NULL));	/* "NaN" and "Infinity" too */
	case SELECTOR_BOOLEAN:
		return boolean(text_truth(v));
	default:
		return (struct value){ .kind = V_HEADER, .str = v };
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
	case N_IDENT:
		return identifier(e, n->str);
	case N_OR:
		return boolean(chain(e, n, T_TRUE));
	case N_AND:
		return boolean(chain(e, n, T_FALSE));
	case N_NOT:
		return boolean(maybe_not(n, truth(e, n->a)));
	case N_EQ: case N_NE: case N_LT: case N_LE: case N_GT: case N_GE: {
		struct value a = eval(e, n->a), b = eval(e, n->b);
		return boolean(comparison(n->kind, compare(&a, &b)));
	}
	case N_ADD: case N_SUB: case N_MUL: case N_DIV:
		return arith(e, n);
	case N_SIGN: {
		struct value a = eval(e, n->a);
		double x;
		if (!as_number(&a, &x))
			return null_value();
		return number(n->negated ? -x : x);
	}
	case N_BETWEEN: {
		/* x >= lo AND x <= hi, on numbers only (BETWEEN is arithmetic) */
		struct value v = eval(e, n->a), lo = eval(e, n->b), hi = eval(e, n->c);
		double x, l, h;
		bool known = as_number(&v, &x) && !isnan(x);
		enum tri ge = known && as_number(&lo, &l) && !isnan(l)
			      ? (x >= l ? T_TRUE : T_FALSE) : T_UNKNOWN;
		enum tri le = known && as_number(&hi, &h) && !isnan(h)
			      ? (x <= h ? T_TRUE : T_FALSE) : T_UNKNOWN;
		enum tri t = ge == T_FALSE || le == T_FALSE ? T_FALSE
			     : ge == T_TRUE && le == T_TRUE ? T_TRUE : T_UNKNOWN;
		return boolean(maybe_not(n, t));
	}
	case N_IN: {
		struct value v = eval(e, n->a);
		if (v.kind == V_NULL)
			return boolean(T_UNKNOWN);
		enum tri t = T_FALSE;
		for (size_t i = 0; i < n->nlist && t == T_FALSE; i++) {
			struct value item = eval(e, n->list[i]);
			enum order o = compare(&v, &item);
			if (o == O_EQUAL || o == O_SAME)
				t = T_TRUE;
		}
		return boolean(maybe_not(n, t));
	}
	case N_LIKE: {
		struct value v = eval(e, n->a);
		if (!is_text(&v))
			return boolean(T_UNKNOWN);
		return boolean(maybe_not(n, like(v.str, n->str, n->escape) ? T_TRUE : T_FALSE));
	}
	case N_ISNULL: {
		struct value v = eval(e, n->a);
		return boolean((v.kind == V_NULL) != n->negated ? T_TRUE : T_FALSE);
	}
	}
	return null_value();
}

bool selector_match(const struct selector *s, selector_lookup_fn lookup, void *ctx)
{
	struct eval e = { lookup, ctx };
	return truth(&e, s->root) == T_TRUE;
}
