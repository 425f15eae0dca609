/*
 * openwire.h - the OpenWire protocol handler: ActiveMQ's JMS client
 * served (openwire.c says how much of it).
 */
#ifndef TANDEM_OPENWIRE_H
#define TANDEM_OPENWIRE_H

#include <stddef.h>

#include "proto.h"

extern const struct proto openwire_proto;

/* 1: the first bytes are a WireFormatInfo (size, type 1, "ActiveMQ"),
 * 0: they are not, -1: too few to tell. */
int openwire_detect(const char *data, size_t len);

#endif
