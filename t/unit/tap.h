/*
 * tap.h - a tiny Test Anything Protocol producer for the C unit tests.
 *
 * Each test file includes this header once, calls ok()/is()/is_str() and
 * ends with done_testing(), which prints the plan and returns the exit code.
 */
#ifndef TANDEM_TAP_H
#define TANDEM_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static int tap_ok(int cond, const char *file, int line, const char *name)
{
	tap_count++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s line %d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, name) tap_ok(!!(cond), __FILE__, __LINE__, (name))

#define is(got, want, name) do { \
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
	if (!tap_ok(tap_g_ == tap_w_, __FILE__, __LINE__, (name))) \
		printf("#   got %lld, expected %lld\n", tap_g_, tap_w_); \
} while (0)

#define is_str(got, want, name) do { \
	const char *tap_g_ = (got), *tap_w_ = (want); \
	int tap_c_ = tap_g_ && tap_w_ ? strcmp(tap_g_, tap_w_) == 0 : tap_g_ == tap_w_; \
	if (!tap_ok(tap_c_, __FILE__, __LINE__, (name))) \
		printf("#   got '%s', expected '%s'\n", tap_g_ ? tap_g_ : "(null)", \
		       tap_w_ ? tap_w_ : "(null)"); \
} while (0)

#define diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)

static int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
