/* Tandem's OpenWire codec on both ends of a live connection with Debian's
 * ActiveMQ JMS client (libactivemq-java): this test listens on loopback,
 * starts t/data/openwire/Cap.java (compiled into t/tmp/openwire_java/),
 * sends the broker's WireFormatInfo, reads and decodes what the client
 * sends, and answers every command that asks with a Response, encoded by
 * the codec in the negotiated format. The client must finish its work
 * (connect, send two messages, open and close a consumer, close) and exit
 * 0: it accepted what Tandem wrote. Skipped without java and the jar. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "openwire_codec.h"
#include "openwire_frame.h"
#include "openwire_wireformat.h"
#include "tap.h"

#define JAR "/usr/share/java/activemq-client.jar"
#define DIR "t/tmp/openwire_java"
#define CP DIR ":" JAR ":/usr/share/java/geronimo-jms_1.1_spec.jar:/usr/share/java/slf4j-api.jar:" \
	"/usr/share/java/slf4j-nop.jar:/usr/share/java/hawtbuf.jar:" \
	"/usr/share/java/geronimo-j2ee-management-1.1-spec.jar"
#define WAIT_MS 60000	/* a JVM starting on a busy machine */

struct seen {
	int frames, responses;
	bool text, shutdown;
	char err[OW_ERR_MAX];
};

static int listen_loopback(int *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

static int send_cmd(int fd, struct ow_format *f, const struct ow_obj *o)
{
	struct buf b = BUF_INIT;
	int rc = ow_encode(f, o, &b);
	if (rc == 0 && write(fd, buf_data(&b), buf_len(&b)) != (ssize_t)buf_len(&b))
		rc = -1;
	buf_free(&b);
	return rc;
}

/* One command from the client: negotiate on its WireFormatInfo, answer
 * what asks for an answer. */
static int on_command(int fd, struct ow_format *f, struct ow_obj *o, struct seen *s)
{
	s->frames++;
	if (o->type == OW_WIREFORMAT_INFO) {
		struct ow_wire_options theirs, ours, agreed;
		if (ow_wireformat_read((struct ow_wireformat_info *)o, &theirs, s->err) < 0)
			return -1;
		ow_wireformat_broker(&ours, 104857600, 0);
		ow_wireformat_negotiate(&ours, &theirs, &agreed);
		ow_wire_options_release(&theirs);
		return ow_wireformat_apply(f, &agreed);
	}
	const struct ow_command *c = (const struct ow_command *)o;
	s->text |= o->type == OW_TEXT_MESSAGE;
	s->shutdown |= o->type == OW_SHUTDOWN_INFO;
	if (!c->response_required)
		return 0;
	struct ow_response *r = (void *)ow_obj_new(OW_RESPONSE);
	r->c.command_id = 1000 + s->responses++;
	r->correlation_id = c->command_id;
	int rc = send_cmd(fd, f, &r->c.h);
	ow_obj_free(&r->c.h);
	return rc;
}

static void serve(int fd, struct seen *s)
{
	struct ow_format f;
	ow_format_init(&f);
	struct ow_wire_options ours;
	ow_wireformat_broker(&ours, 104857600, 0);
	struct ow_wireformat_info *w = ow_wireformat_make(&ours);
	struct ow_frame_reader *r = ow_frame_reader_new(104857600);
	if (!w || send_cmd(fd, &f, &w->h) < 0)
		snprintf(s->err, sizeof s->err, "cannot send the WireFormatInfo");
	ow_obj_free(w ? &w->h : NULL);
	uint8_t in[4096];
	while (!s->err[0] && !s->shutdown) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, WAIT_MS) <= 0) {
			snprintf(s->err, sizeof s->err, "the client went quiet");
			break;
		}
		ssize_t n = read(fd, in, sizeof in);
		if (n <= 0)
			break;
		for (size_t off = 0; off < (size_t)n && !s->err[0];) {
			const uint8_t *frame;
			size_t flen;
			ssize_t used = ow_frame_feed(r, in + off, (size_t)n - off, &frame, &flen, s->err);
			if (used < 0)
				break;
			off += (size_t)used;
			struct ow_obj *o;
			if (frame && ow_decode(&f, frame, flen, &o, s->err) == 0) {
				if (on_command(fd, &f, o, s) < 0 && !s->err[0])
					snprintf(s->err, sizeof s->err, "cannot answer");
				ow_obj_free(o);
			}
		}
	}
	ow_frame_reader_free(r);
	ow_format_release(&f);
}

static pid_t start_client(int port, bool tight)
{
	char url[200];
	snprintf(url, sizeof url,
		 "tcp://127.0.0.1:%d?wireFormat.tightEncodingEnabled=%s&wireFormat.maxInactivityDuration=0",
		 port, tight ? "true" : "false");
	pid_t pid = fork();
	if (pid == 0) {
		execlp("java", "java", "-cp", CP, "Cap", url, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void one_run(bool tight)
{
	const char *label = tight ? "tight" : "loose";
	int port, ls = listen_loopback(&port);
	pid_t pid = ls < 0 ? -1 : start_client(port, tight);
	struct seen s = { 0 };
	struct pollfd p = { ls, POLLIN, 0 };
	int fd = pid > 0 && poll(&p, 1, WAIT_MS) == 1 ? accept(ls, NULL, NULL) : -1;
	if (fd >= 0)
		serve(fd, &s);
	else
		snprintf(s.err, sizeof s.err, "no connection from the client");
	if (fd >= 0)
		close(fd);
	if (ls >= 0)
		close(ls);
	int status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	char name[160];
	snprintf(name, sizeof name, "%s: the JMS client's commands decode, the last is ShutdownInfo",
		 label);
	if (!ok(!s.err[0] && s.shutdown && s.text && s.frames > 10, name))
		diag("%s (after %d frames)", s.err, s.frames);
	snprintf(name, sizeof name,
		 "%s: the client accepted Tandem's WireFormatInfo and %d Responses and exited 0",
		 label, s.responses);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && s.responses >= 5, name);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);	/* a client that leaves early is a failed test, not a killed one */
	if (access(JAR, R_OK) != 0 ||
	    system("command -v javac >/dev/null && mkdir -p " DIR " && "
		   "javac -d " DIR " -cp " CP " t/data/openwire/Cap.java") != 0) {
		ok(1, "a live JMS client # SKIP no javac or " JAR " (libactivemq-java)");
		return done_testing();
	}
	one_run(true);
	one_run(false);
	return done_testing();
}
