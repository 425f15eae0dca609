/*
 * throttle.h - slowing down password guessing on the web console and API.
 *
 * Failed logins are counted per user name and address together, so users
 * behind one proxy do not lock each other out, and each attempt of a pair
 * that failed before waits longer than the last (growing delays, never a
 * hard lockout: the right password gets in once its wait is over). The
 * caller does the waiting, without blocking the loop (web_server.c suspends
 * the request and a loop timer resumes it).
 */
#ifndef TANDEM_WEB_THROTTLE_H
#define TANDEM_WEB_THROTTLE_H

#include <stdint.h>

/* Milliseconds a login of user from addr ("ip:port"; the port is
 * ignored) must wait before its password is checked; 0 to check now. */
int64_t web_throttle_wait(const char *user, const char *addr, int64_t now_ms);
/* Counts a failed login of the pair (logged when its delays start). */
void web_throttle_failed(const char *user, const char *addr, int64_t now_ms);
/* A login of the pair succeeded: its count starts again. */
void web_throttle_passed(const char *user, const char *addr, int64_t now_ms);
void web_throttle_clear(void);

#endif
