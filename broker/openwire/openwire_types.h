/*
 * openwire_types.h - the OpenWire data structures Tandem reads and writes,
 * and the one table that describes them.
 *
 * Every data structure (a command, an id, a destination) is a C struct
 * whose first member is `struct ow_obj`, which says its type. Its fields
 * are described by rows (`struct ow_field`: kind, offset, the OpenWire
 * version that added it) in the order ActiveMQ's marshallers
 * (activemq-client, org.apache.activemq.openwire.vN) put them on the
 * wire; `ow_types[]` in openwire_types.c holds one row per data structure
 * type. openwire_codec.c walks those rows to read and write both
 * encodings, so a new command is a struct here and a row there.
 *
 * The structs hold what came off the wire, including fields Tandem does
 * not use, so that what is read can be written back byte for byte.
 * Nested data structures are pointers, NULL for Java's null; a field
 * accepts only the types its row allows (a destination field holds one of
 * the four destination types, and so on), so a handler may cast by the
 * field's declared type.
 */
#ifndef TANDEM_OPENWIRE_TYPES_H
#define TANDEM_OPENWIRE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openwire_wire.h"

/* Data structure type codes (ActiveMQ's CommandTypes). Those without a
 * row in ow_types[] are refused as "not supported" when read. */
enum ow_code {
	OW_WIREFORMAT_INFO = 1, OW_BROKER_INFO = 2, OW_CONNECTION_INFO = 3,
	OW_SESSION_INFO = 4, OW_CONSUMER_INFO = 5, OW_PRODUCER_INFO = 6,
	OW_TRANSACTION_INFO = 7, OW_DESTINATION_INFO = 8,
	OW_REMOVE_SUBSCRIPTION_INFO = 9, OW_KEEP_ALIVE_INFO = 10,
	OW_SHUTDOWN_INFO = 11, OW_REMOVE_INFO = 12, OW_CONTROL_COMMAND = 14,
	OW_FLUSH_COMMAND = 15, OW_CONNECTION_ERROR = 16, OW_CONSUMER_CONTROL = 17,
	OW_CONNECTION_CONTROL = 18, OW_PRODUCER_ACK = 19, OW_MESSAGE_PULL = 20,
	OW_MESSAGE_DISPATCH = 21, OW_MESSAGE_ACK = 22,
	OW_MESSAGE = 23, OW_BYTES_MESSAGE = 24, OW_MAP_MESSAGE = 25,
	OW_OBJECT_MESSAGE = 26, OW_STREAM_MESSAGE = 27, OW_TEXT_MESSAGE = 28,
	OW_BLOB_MESSAGE = 29,
	OW_RESPONSE = 30, OW_EXCEPTION_RESPONSE = 31, OW_DATA_RESPONSE = 32,
	OW_DATA_ARRAY_RESPONSE = 33, OW_INTEGER_RESPONSE = 34,
	OW_SUBSCRIPTION_INFO = 55,
	OW_QUEUE = 100, OW_TOPIC = 101, OW_TEMP_QUEUE = 102, OW_TEMP_TOPIC = 103,
	OW_MESSAGE_ID = 110, OW_LOCAL_TRANSACTION_ID = 111,
	OW_XA_TRANSACTION_ID = 112,
	OW_CONNECTION_ID = 120, OW_SESSION_ID = 121, OW_CONSUMER_ID = 122,
	OW_PRODUCER_ID = 123, OW_BROKER_ID = 124,
	OW_NETWORK_BRIDGE_FILTER = 91,
};

/* The newest OpenWire version (ActiveMQ 5.17's) and the oldest. */
#define OW_VERSION_MAX 12
#define OW_VERSION_MIN 1

/* What a nested field may hold: each type row names its class, each field
 * row the classes it accepts. */
enum ow_class {
	OWC_COMMAND = 1 << 0,
	OWC_MESSAGE = 1 << 1,
	OWC_DESTINATION = 1 << 2,
	OWC_TRANSACTION_ID = 1 << 3,
	OWC_CONNECTION_ID = 1 << 4,
	OWC_SESSION_ID = 1 << 5,
	OWC_PRODUCER_ID = 1 << 6,
	OWC_CONSUMER_ID = 1 << 7,
	OWC_MESSAGE_ID = 1 << 8,
	OWC_BROKER_ID = 1 << 9,
	OWC_BROKER_INFO = 1 << 10,
	OWC_OTHER = 1 << 11,
	OWC_STORED = 1 << 12,	/* only in a store: ActiveMQ's SubscriptionInfo */
	OWC_ANY = 0xFFFF,
	/* What RemoveInfo removes. */
	OWC_REMOVABLE = OWC_CONNECTION_ID | OWC_SESSION_ID | OWC_PRODUCER_ID | OWC_CONSUMER_ID,
};

/* The header of every data structure. `refs` counts holders: a data
 * structure kept in a marshal cache is shared with the commands that
 * refer to it, and is not to be changed once read or written (the
 * writer's cache finds it again by its content: openwire_cache.c). */
struct ow_obj {
	uint8_t type;
	uint32_t refs;
};

/* A nullable array of nested data structures (a broker path). */
struct ow_array {
	struct ow_obj **v;	/* NULL: Java's null */
	uint16_t n;
};

/* ---- ids and destinations ---- */

struct ow_connection_id { struct ow_obj h; struct ow_str value; };
struct ow_broker_id { struct ow_obj h; struct ow_str value; };
struct ow_session_id { struct ow_obj h; struct ow_str connection_id; int64_t value; };
struct ow_producer_id {
	struct ow_obj h;
	struct ow_str connection_id;
	int64_t value, session_id;
};
struct ow_consumer_id {
	struct ow_obj h;
	struct ow_str connection_id;
	int64_t session_id, value;
};
struct ow_message_id {
	struct ow_obj h;
	struct ow_str text_view;	/* since version 10 */
	struct ow_producer_id *producer_id;
	int64_t producer_sequence_id, broker_sequence_id;
};
/* ActiveMQQueue, ActiveMQTopic, ActiveMQTempQueue, ActiveMQTempTopic. */
struct ow_destination { struct ow_obj h; struct ow_str physical_name; };
struct ow_local_transaction_id {
	struct ow_obj h;
	int64_t value;
	struct ow_connection_id *connection_id;
};
struct ow_xa_transaction_id {
	struct ow_obj h;
	int32_t format_id;
	struct ow_bytes global_transaction_id, branch_qualifier;
};

/* ---- commands ---- */

/* BaseCommand: every command starts with it. */
struct ow_command {
	struct ow_obj h;
	int32_t command_id;
	bool response_required;
};

/* Not a BaseCommand: no command id. */
struct ow_wireformat_info {
	struct ow_obj h;
	uint8_t magic[8];
	int32_t version;
	struct ow_bytes marshalled_properties;	/* openwire_map.h */
};

struct ow_broker_info {
	struct ow_command c;
	struct ow_broker_id *broker_id;
	struct ow_str broker_url;
	struct ow_array peer_broker_infos;
	struct ow_str broker_name;
	bool slave_broker, master_broker, fault_tolerant_configuration;
	bool duplex_connection, network_connection;	/* since 2 */
	int64_t connection_id;				/* since 2 */
	struct ow_str broker_upload_url, network_properties;	/* since 3 */
};

struct ow_connection_info {
	struct ow_command c;
	struct ow_connection_id *connection_id;
	struct ow_str client_id, password, user_name;
	struct ow_array broker_path;
	bool broker_master_connector, manageable;
	bool client_master;			/* since 2 */
	bool fault_tolerant, failover_reconnect;	/* since 6 */
	struct ow_str client_ip;		/* since 8 */
};

struct ow_session_info {
	struct ow_command c;
	struct ow_session_id *session_id;
};

struct ow_producer_info {
	struct ow_command c;
	struct ow_producer_id *producer_id;
	struct ow_destination *destination;
	struct ow_array broker_path;
	bool dispatch_async;	/* since 2 */
	int32_t window_size;	/* since 3 */
};

struct ow_consumer_info {
	struct ow_command c;
	struct ow_consumer_id *consumer_id;
	bool browser;
	struct ow_destination *destination;
	int32_t prefetch_size, maximum_pending_message_limit;
	bool dispatch_async;
	struct ow_str selector;
	struct ow_str client_id;	/* since 10 */
	struct ow_str subscription_name;
	bool no_local, exclusive, retroactive;
	int8_t priority;
	struct ow_array broker_path;
	struct ow_obj *additional_predicate;	/* a NetworkBridgeFilter, or NULL */
	bool network_subscription, optimized_acknowledge, no_range_acks;
	struct ow_array network_consumer_path;	/* since 4 */
};

/* The filter ActiveMQ's bridges put on their consumers (a ConsumerInfo's
 * additionalPredicate, as its advisories carry it); since version 10. */
struct ow_network_bridge_filter {
	struct ow_obj h;
	struct ow_broker_id *network_broker_id;
	int32_t message_ttl, consumer_ttl;
};

struct ow_remove_info {
	struct ow_command c;
	struct ow_obj *object_id;	/* a connection, session, producer or consumer id */
	int64_t last_delivered_sequence_id;	/* since 5 */
};

/* KeepAliveInfo, ShutdownInfo: the command header only. */

struct ow_response {
	struct ow_command c;
	int32_t correlation_id;
};

struct ow_exception_response {
	struct ow_response r;
	struct ow_throwable *exception;
};

/* ActiveMQMessage and its Text, Bytes, Map, Object and Stream kinds: the
 * body is `content` (compressed when `compressed`), the properties
 * `marshalled_properties` (openwire_map.h), both as the producer sent them. */
struct ow_message {
	struct ow_command c;
	struct ow_producer_id *producer_id;
	struct ow_destination *destination;
	struct ow_obj *transaction_id;		/* local or XA */
	struct ow_destination *original_destination;
	struct ow_message_id *message_id;
	struct ow_obj *original_transaction_id;
	struct ow_str group_id;
	int32_t group_sequence;
	struct ow_str correlation_id;
	bool persistent;
	int64_t expiration;
	int8_t priority;
	struct ow_destination *reply_to;
	int64_t timestamp;
	struct ow_str type;
	struct ow_bytes content;
	struct ow_bytes marshalled_properties;
	struct ow_obj *data_structure;		/* an advisory's subject */
	struct ow_consumer_id *target_consumer_id;
	bool compressed;
	int32_t redelivery_counter;
	struct ow_array broker_path;
	int64_t arrival;
	struct ow_str user_id;
	bool recieved_by_df_bridge;		/* ActiveMQ's spelling */
	bool droppable;				/* since 2 */
	struct ow_array cluster;		/* since 3 */
	int64_t broker_in_time, broker_out_time;	/* since 3 */
	bool jmsx_group_first_for_consumer;	/* since 10 */
};

struct ow_message_dispatch {
	struct ow_command c;
	struct ow_consumer_id *consumer_id;
	struct ow_destination *destination;
	struct ow_message *message;
	int32_t redelivery_counter;
};

/* MessageAck.ackType values. */
enum ow_ack_type {
	OW_ACK_DELIVERED = 0, OW_ACK_POISON = 1, OW_ACK_STANDARD = 2,
	OW_ACK_REDELIVERED = 3, OW_ACK_INDIVIDUAL = 4, OW_ACK_UNMATCHED = 5,
	OW_ACK_EXPIRED = 6,
};

struct ow_message_ack {
	struct ow_command c;
	struct ow_destination *destination;
	struct ow_obj *transaction_id;
	struct ow_consumer_id *consumer_id;
	int8_t ack_type;
	struct ow_message_id *first_message_id, *last_message_id;
	int32_t message_count;
	struct ow_throwable *poison_cause;	/* since 7 */
};

/* TransactionInfo.type values. */
enum ow_transaction_type {
	OW_TX_BEGIN = 0, OW_TX_PREPARE = 1, OW_TX_COMMIT_ONE_PHASE = 2,
	OW_TX_COMMIT_TWO_PHASE = 3, OW_TX_ROLLBACK = 4, OW_TX_RECOVER = 5,
	OW_TX_FORGET = 6, OW_TX_END = 7,
};

struct ow_transaction_info {
	struct ow_command c;
	struct ow_connection_id *connection_id;
	struct ow_obj *transaction_id;
	int8_t type;
};

/* DestinationInfo.operation_type values. */
enum ow_destination_op { OW_DEST_ADD = 0, OW_DEST_REMOVE = 1 };

struct ow_destination_info {
	struct ow_command c;
	struct ow_connection_id *connection_id;
	struct ow_destination *destination;
	int8_t operation_type;
	int64_t timeout;
	struct ow_array broker_path;
};

struct ow_remove_subscription_info {
	struct ow_command c;
	struct ow_connection_id *connection_id;
	struct ow_str subscription_name, client_id;
};

/* A durable subscription as ActiveMQ's store keeps it (KahaDB's
 * KahaSubscriptionCommand); no client sends it. */
struct ow_subscription_info {
	struct ow_obj h;
	struct ow_str client_id;
	struct ow_destination *destination;
	struct ow_str selector, subscription_name;
	struct ow_destination *subscribed_destination;	/* since 3 */
	bool no_local;					/* since 11 */
};

struct ow_control_command {
	struct ow_command c;
	struct ow_str command;
};

/* FlushCommand: the command header only. */

struct ow_connection_error {
	struct ow_command c;
	struct ow_throwable *exception;
	struct ow_connection_id *connection_id;
};

struct ow_consumer_control {
	struct ow_command c;
	struct ow_destination *destination;	/* since 6, first */
	bool close;
	struct ow_consumer_id *consumer_id;
	int32_t prefetch;
	bool flush, start, stop;		/* since 2 */
};

/* What the broker sends to steer failover clients (updateClusterClients,
 * rebalanceClusterClients). */
struct ow_connection_control {
	struct ow_command c;
	bool close, exit, fault_tolerant, resume, suspend;
	struct ow_str connected_brokers, reconnect_to;	/* since 6 */
	bool rebalance_connection;			/* since 6 */
	struct ow_bytes token;				/* since 8 */
};

/* Since version 3. */
struct ow_producer_ack {
	struct ow_command c;
	struct ow_producer_id *producer_id;
	int32_t size;
};

/* Since version 2: a consumer with prefetch 0 asks for a message. */
struct ow_message_pull {
	struct ow_command c;
	struct ow_consumer_id *consumer_id;
	struct ow_destination *destination;
	int64_t timeout;
	struct ow_str correlation_id;		/* since 3 */
	struct ow_message_id *message_id;	/* since 3 */
};

struct ow_integer_response {
	struct ow_response r;
	int32_t result;
};

struct ow_data_response {
	struct ow_response r;
	struct ow_obj *data;
};

/* The answer to an XA RECOVER: the prepared transactions' ids. */
struct ow_data_array_response {
	struct ow_response r;
	struct ow_array data;
};

/* ---- the table ---- */

enum ow_kind {
	OWF_BOOL,	/* bool */
	OWF_BYTE,	/* int8_t */
	OWF_INT,	/* int32_t */
	OWF_LONG,	/* int64_t: 8 bytes loose, 0/2/4/8 tight */
	OWF_STRING,	/* struct ow_str */
	OWF_BYTES,	/* struct ow_bytes, nullable */
	OWF_MAGIC,	/* uint8_t[8], always there */
	OWF_NESTED,	/* struct ow_obj *, written in full */
	OWF_CACHED,	/* struct ow_obj *, through the marshal cache when enabled */
	OWF_ARRAY,	/* struct ow_array of nested structures */
	OWF_THROWABLE,	/* struct ow_throwable * */
};

struct ow_field {
	const char *name;	/* ActiveMQ's property name; NULL ends a list */
	enum ow_kind kind;
	uint16_t off;
	uint8_t since;		/* the OpenWire version that added it */
	uint16_t accept;	/* OWF_NESTED, OWF_CACHED, OWF_ARRAY: enum ow_class */
};

struct ow_type {
	uint8_t code;
	uint8_t since;		/* the OpenWire version that added the type */
	const char *name;	/* ActiveMQ's class name, for messages */
	size_t size;
	uint16_t klass;
	/* Java's MarshallAware (messages, WireFormatInfo): nested, tight, one
	 * more flag says whether a cached marshalled form follows (never). */
	bool marshal_aware;
	const struct ow_field *fields;
};

/* The row of a type code, or NULL. */
const struct ow_type *ow_type_find(uint8_t code);
/* ActiveMQ's class name of any type code it defines (for a reason that
 * names what was refused), or NULL for a code it does not define. */
const char *ow_code_name(uint8_t code);

#endif
