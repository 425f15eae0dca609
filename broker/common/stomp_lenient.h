/*
 * stomp_lenient.h - the STOMP input ActiveMQ tolerates, and Tandem with it.
 *
 * Clients written against ActiveMQ send these, and a broker that replaces
 * it must read them the same way (issue 18). What is tolerated, as
 * ActiveMQ 5.17's StompWireFormat and StompCodec do:
 *   - NULs and EOLs before a command are skipped: a stray NUL ends up
 *     there when a client ends its frames with "\0\0" or starts with one;
 *   - the command line is trimmed: "SEND " is SEND;
 *   - a header line without ':' is a header whose value is empty;
 *   - the header values of STOMP 1.0 frames are trimmed ("persistent:
 *     true" is persistent), and so are those of CONNECT and STOMP frames,
 *     which are read before a version is agreed (ActiveMQ reads them as
 *     1.0); 1.1 and 1.2 values keep their spaces, as those specs say;
 *   - content-length may have blanks around its digits;
 *   - beyond ActiveMQ: persistent is true with blanks around "true" in
 *     every version (stomp_lenient_true()).
 * Trimming is Java's String.trim(), which ActiveMQ uses: every byte from
 * 0x00 to 0x20 goes from both ends.
 *
 * Where tolerance would let a frame mean two things it is not granted: a
 * command is matched whole after trimming (ActiveMQ takes "SENDX" for
 * SEND), and a NUL inside a line is still refused. tandemd(8), "STOMP
 * LENIENCY", says the same to users; t/27-stomp-lenient.t shows each rule.
 */
#ifndef TANDEM_STOMP_LENIENT_H
#define TANDEM_STOMP_LENIENT_H

#include <stdbool.h>
#include <stddef.h>

/* A byte skipped before a command: an EOL (a heart-beat) or a stray NUL. */
bool stomp_lenient_skipped(char c);

/* Narrows s[0, *len) to what Java's String.trim() keeps. */
void stomp_lenient_trim(const char **s, size_t *len);

/* A persistent header that says true: "true", blanks around it allowed in
 * every version. ActiveMQ trims only 1.0 values and then wants "true"
 * exactly, so a 1.2 "persistent: true" is a message lost at its restart;
 * here no message is stored as non-persistent because of a blank. */
bool stomp_lenient_true(const char *value);

/* What may follow a command word on its line: blanks, then LF. 1 when
 * data[0, len) holds that, -1 when it is blanks so far (more may come),
 * 0 otherwise ("CONNECTX"). */
int stomp_lenient_command_end(const char *data, size_t len);

#endif
