/*
 * service.h - what tandemd tells systemd (Type=notify, sd_notify(3)), so
 * that `systemctl start tandemd@node1` returns once the broker serves as
 * master or waits as slave, and `systemctl status` says which:
 *
 *   READY=1 and STATUS=      after a successful start
 *   STATUS=                  at each change of role after that
 *   STOPPING=1               when it begins to stop
 *
 * Without NOTIFY_SOCKET in the environment (not started by systemd) all of
 * it does nothing.
 */
#ifndef TANDEM_SERVICE_H
#define TANDEM_SERVICE_H

struct loop;

/* Says READY=1 with the role, and watches the role from the loop. 0, or -1
 * when the watch cannot be added. */
int service_ready(struct loop *l);
void service_stopping(void);

#endif
