/*
 * openwire_wireformat.h - the WireFormatInfo exchange that opens every
 * OpenWire connection.
 *
 * Both sides send a WireFormatInfo first (loose, size-prefixed, whatever
 * they prefer): the magic "ActiveMQ", their newest version and their
 * options as a marshalled map (openwire_map.h). Each then uses, as
 * ActiveMQ's OpenWireFormat.renegotiateWireFormat does: the lower
 * version; TightEncodingEnabled, CacheEnabled, StackTraceEnabled,
 * TcpNoDelayEnabled and SizePrefixDisabled only when both want them;
 * the smaller positive MaxFrameSize and CacheSize; and, as the
 * InactivityMonitor does, the smaller MaxInactivityDuration and
 * MaxInactivityDurationInitalDelay (ActiveMQ's spelling; 0 turns the
 * check off).
 *
 * What the broker offers (ow_wireformat_broker): version 12, tight
 * encoding (the Java client asks for it by default), the marshal cache
 * of OW_CACHE_SIZE_BROKER entries each way (ActiveMQ's broker offers the
 * same: without it the client decodes every id and destination of every
 * message in full, openwire_cache.c), no stack traces, a size prefix, and
 * the connector's
 * wireFormat.maxFrameSize and maxInactivityDuration.
 */
#ifndef TANDEM_OPENWIRE_WIREFORMAT_H
#define TANDEM_OPENWIRE_WIREFORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "openwire_codec.h"
#include "openwire_types.h"

struct ow_wire_options {
	int32_t version;
	bool tight, cache, stack_trace, tcp_no_delay, size_prefix_disabled;
	bool max_frame_size_enabled;
	int64_t max_inactivity;		/* ms; 0: off */
	int64_t max_inactivity_initial_delay;	/* ms */
	int64_t max_frame_size;		/* 0: not said */
	int32_t cache_size;
	struct ow_str host, provider_name, provider_version, platform_details;
};

void ow_wire_options_release(struct ow_wire_options *o);

/* Reads a peer's WireFormatInfo: the magic, a version of at least 1, the
 * options (what is absent reads as false or 0, as in ActiveMQ; a number of
 * the wrong type is refused). 0, or -1 with a reason in err. */
int ow_wireformat_read(const struct ow_wireformat_info *info, struct ow_wire_options *out,
		       char err[OW_ERR_MAX]);

/* ActiveMQ's OpenWireFormatFactory's cacheSize: what its broker and its
 * client offer. */
#define OW_CACHE_SIZE_BROKER 1024

/* What the broker offers, as above. */
void ow_wireformat_broker(struct ow_wire_options *o, int64_t max_frame_size,
			  int64_t max_inactivity);

/* A WireFormatInfo saying `o` (its strings are copied when set). NULL when
 * memory runs out. */
struct ow_wireformat_info *ow_wireformat_make(const struct ow_wire_options *o);

/* What both sides use, from ours and theirs (strings not copied). */
void ow_wireformat_negotiate(const struct ow_wire_options *ours,
			     const struct ow_wire_options *theirs, struct ow_wire_options *out);

/* Switches a connection's format to what was negotiated. 0, or -1 when
 * the cache cannot be allocated. */
int ow_wireformat_apply(struct ow_format *f, const struct ow_wire_options *n);

#endif
