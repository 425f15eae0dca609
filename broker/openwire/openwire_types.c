/*
 * openwire_types.c - one row per OpenWire data structure: its fields in
 * wire order (ActiveMQ's openwire/vN/<Type>Marshaller.java, looseUnmarshal), each with
 * the version that added it. To add a command: its struct in
 * openwire_types.h, its field list and a row in ow_types[] here; the
 * codec, both encodings and both directions follow.
 */
#include <stddef.h>

#include "openwire_types.h"

#define F(st, kind, member, since, accept) \
	{ #member, kind, offsetof(st, member), since, accept }
#define BOOL(st, m, v) F(st, OWF_BOOL, m, v, 0)
#define BYTE(st, m, v) F(st, OWF_BYTE, m, v, 0)
#define INT(st, m, v) F(st, OWF_INT, m, v, 0)
#define LONG(st, m, v) F(st, OWF_LONG, m, v, 0)
#define STR(st, m, v) F(st, OWF_STRING, m, v, 0)
#define BYTES(st, m, v) F(st, OWF_BYTES, m, v, 0)
#define NESTED(st, m, v, a) F(st, OWF_NESTED, m, v, a)
#define CACHED(st, m, v, a) F(st, OWF_CACHED, m, v, a)
#define ARRAY(st, m, v, a) F(st, OWF_ARRAY, m, v, a)
#define THROWABLE(st, m, v) F(st, OWF_THROWABLE, m, v, 0)
/* BaseCommand's two fields, first in every command. */
#define COMMAND(st, c) INT(st, c.command_id, 1), BOOL(st, c.response_required, 1)
#define END { NULL, 0, 0, 0, 0 }

static const struct ow_field wireformat_info[] = {
	F(struct ow_wireformat_info, OWF_MAGIC, magic, 1, 0),
	INT(struct ow_wireformat_info, version, 1),
	BYTES(struct ow_wireformat_info, marshalled_properties, 1),
	END
};

static const struct ow_field broker_info[] = {
	COMMAND(struct ow_broker_info, c),
	CACHED(struct ow_broker_info, broker_id, 1, OWC_BROKER_ID),
	STR(struct ow_broker_info, broker_url, 1),
	ARRAY(struct ow_broker_info, peer_broker_infos, 1, OWC_BROKER_INFO),
	STR(struct ow_broker_info, broker_name, 1),
	BOOL(struct ow_broker_info, slave_broker, 1),
	BOOL(struct ow_broker_info, master_broker, 1),
	BOOL(struct ow_broker_info, fault_tolerant_configuration, 1),
	BOOL(struct ow_broker_info, duplex_connection, 2),
	BOOL(struct ow_broker_info, network_connection, 2),
	LONG(struct ow_broker_info, connection_id, 2),
	STR(struct ow_broker_info, broker_upload_url, 3),
	STR(struct ow_broker_info, network_properties, 3),
	END
};

static const struct ow_field connection_info[] = {
	COMMAND(struct ow_connection_info, c),
	CACHED(struct ow_connection_info, connection_id, 1, OWC_CONNECTION_ID),
	STR(struct ow_connection_info, client_id, 1),
	STR(struct ow_connection_info, password, 1),
	STR(struct ow_connection_info, user_name, 1),
	ARRAY(struct ow_connection_info, broker_path, 1, OWC_BROKER_ID),
	BOOL(struct ow_connection_info, broker_master_connector, 1),
	BOOL(struct ow_connection_info, manageable, 1),
	BOOL(struct ow_connection_info, client_master, 2),
	BOOL(struct ow_connection_info, fault_tolerant, 6),
	BOOL(struct ow_connection_info, failover_reconnect, 6),
	STR(struct ow_connection_info, client_ip, 8),
	END
};

static const struct ow_field session_info[] = {
	COMMAND(struct ow_session_info, c),
	CACHED(struct ow_session_info, session_id, 1, OWC_SESSION_ID),
	END
};

static const struct ow_field producer_info[] = {
	COMMAND(struct ow_producer_info, c),
	CACHED(struct ow_producer_info, producer_id, 1, OWC_PRODUCER_ID),
	CACHED(struct ow_producer_info, destination, 1, OWC_DESTINATION),
	ARRAY(struct ow_producer_info, broker_path, 1, OWC_BROKER_ID),
	BOOL(struct ow_producer_info, dispatch_async, 2),
	INT(struct ow_producer_info, window_size, 3),
	END
};

static const struct ow_field consumer_info[] = {
	COMMAND(struct ow_consumer_info, c),
	CACHED(struct ow_consumer_info, consumer_id, 1, OWC_CONSUMER_ID),
	BOOL(struct ow_consumer_info, browser, 1),
	CACHED(struct ow_consumer_info, destination, 1, OWC_DESTINATION),
	INT(struct ow_consumer_info, prefetch_size, 1),
	INT(struct ow_consumer_info, maximum_pending_message_limit, 1),
	BOOL(struct ow_consumer_info, dispatch_async, 1),
	STR(struct ow_consumer_info, selector, 1),
	STR(struct ow_consumer_info, client_id, 10),
	STR(struct ow_consumer_info, subscription_name, 1),
	BOOL(struct ow_consumer_info, no_local, 1),
	BOOL(struct ow_consumer_info, exclusive, 1),
	BOOL(struct ow_consumer_info, retroactive, 1),
	BYTE(struct ow_consumer_info, priority, 1),
	ARRAY(struct ow_consumer_info, broker_path, 1, OWC_BROKER_ID),
	/* A BooleanExpression: a NetworkBridgeFilter, which ActiveMQ's
	 * advisories carry for its bridges' consumers (the only kind). */
	NESTED(struct ow_consumer_info, additional_predicate, 1, OWC_OTHER),
	BOOL(struct ow_consumer_info, network_subscription, 1),
	BOOL(struct ow_consumer_info, optimized_acknowledge, 1),
	BOOL(struct ow_consumer_info, no_range_acks, 1),
	ARRAY(struct ow_consumer_info, network_consumer_path, 4, OWC_CONSUMER_ID),
	END
};

/* Version 10's layout (v1-9 put a networkTTL before the broker id): the
 * type row says since 10. */
static const struct ow_field network_bridge_filter[] = {
	CACHED(struct ow_network_bridge_filter, network_broker_id, 10, OWC_BROKER_ID),
	INT(struct ow_network_bridge_filter, message_ttl, 10),
	INT(struct ow_network_bridge_filter, consumer_ttl, 10),
	END
};

static const struct ow_field remove_info[] = {
	COMMAND(struct ow_remove_info, c),
	CACHED(struct ow_remove_info, object_id, 1, OWC_REMOVABLE),
	LONG(struct ow_remove_info, last_delivered_sequence_id, 5),
	END
};

static const struct ow_field command_only[] = {
	INT(struct ow_command, command_id, 1),
	BOOL(struct ow_command, response_required, 1),
	END
};

static const struct ow_field response[] = {
	COMMAND(struct ow_response, c),
	INT(struct ow_response, correlation_id, 1),
	END
};

static const struct ow_field exception_response[] = {
	COMMAND(struct ow_exception_response, r.c),
	INT(struct ow_exception_response, r.correlation_id, 1),
	THROWABLE(struct ow_exception_response, exception, 1),
	END
};

static const struct ow_field message[] = {
	COMMAND(struct ow_message, c),
	CACHED(struct ow_message, producer_id, 1, OWC_PRODUCER_ID),
	CACHED(struct ow_message, destination, 1, OWC_DESTINATION),
	CACHED(struct ow_message, transaction_id, 1, OWC_TRANSACTION_ID),
	CACHED(struct ow_message, original_destination, 1, OWC_DESTINATION),
	NESTED(struct ow_message, message_id, 1, OWC_MESSAGE_ID),
	CACHED(struct ow_message, original_transaction_id, 1, OWC_TRANSACTION_ID),
	STR(struct ow_message, group_id, 1),
	INT(struct ow_message, group_sequence, 1),
	STR(struct ow_message, correlation_id, 1),
	BOOL(struct ow_message, persistent, 1),
	LONG(struct ow_message, expiration, 1),
	BYTE(struct ow_message, priority, 1),
	NESTED(struct ow_message, reply_to, 1, OWC_DESTINATION),
	LONG(struct ow_message, timestamp, 1),
	STR(struct ow_message, type, 1),
	BYTES(struct ow_message, content, 1),
	BYTES(struct ow_message, marshalled_properties, 1),
	NESTED(struct ow_message, data_structure, 1, OWC_ANY),
	CACHED(struct ow_message, target_consumer_id, 1, OWC_CONSUMER_ID),
	BOOL(struct ow_message, compressed, 1),
	INT(struct ow_message, redelivery_counter, 1),
	ARRAY(struct ow_message, broker_path, 1, OWC_BROKER_ID),
	LONG(struct ow_message, arrival, 1),
	STR(struct ow_message, user_id, 1),
	BOOL(struct ow_message, recieved_by_df_bridge, 1),
	BOOL(struct ow_message, droppable, 2),
	ARRAY(struct ow_message, cluster, 3, OWC_BROKER_ID),
	LONG(struct ow_message, broker_in_time, 3),
	LONG(struct ow_message, broker_out_time, 3),
	BOOL(struct ow_message, jmsx_group_first_for_consumer, 10),
	END
};

static const struct ow_field message_dispatch[] = {
	COMMAND(struct ow_message_dispatch, c),
	CACHED(struct ow_message_dispatch, consumer_id, 1, OWC_CONSUMER_ID),
	CACHED(struct ow_message_dispatch, destination, 1, OWC_DESTINATION),
	NESTED(struct ow_message_dispatch, message, 1, OWC_MESSAGE),
	INT(struct ow_message_dispatch, redelivery_counter, 1),
	END
};

static const struct ow_field message_ack[] = {
	COMMAND(struct ow_message_ack, c),
	CACHED(struct ow_message_ack, destination, 1, OWC_DESTINATION),
	CACHED(struct ow_message_ack, transaction_id, 1, OWC_TRANSACTION_ID),
	CACHED(struct ow_message_ack, consumer_id, 1, OWC_CONSUMER_ID),
	BYTE(struct ow_message_ack, ack_type, 1),
	NESTED(struct ow_message_ack, first_message_id, 1, OWC_MESSAGE_ID),
	NESTED(struct ow_message_ack, last_message_id, 1, OWC_MESSAGE_ID),
	INT(struct ow_message_ack, message_count, 1),
	THROWABLE(struct ow_message_ack, poison_cause, 7),
	END
};

static const struct ow_field transaction_info[] = {
	COMMAND(struct ow_transaction_info, c),
	CACHED(struct ow_transaction_info, connection_id, 1, OWC_CONNECTION_ID),
	CACHED(struct ow_transaction_info, transaction_id, 1, OWC_TRANSACTION_ID),
	BYTE(struct ow_transaction_info, type, 1),
	END
};

static const struct ow_field destination_info[] = {
	COMMAND(struct ow_destination_info, c),
	CACHED(struct ow_destination_info, connection_id, 1, OWC_CONNECTION_ID),
	CACHED(struct ow_destination_info, destination, 1, OWC_DESTINATION),
	BYTE(struct ow_destination_info, operation_type, 1),
	LONG(struct ow_destination_info, timeout, 1),
	ARRAY(struct ow_destination_info, broker_path, 1, OWC_BROKER_ID),
	END
};

static const struct ow_field remove_subscription_info[] = {
	COMMAND(struct ow_remove_subscription_info, c),
	CACHED(struct ow_remove_subscription_info, connection_id, 1, OWC_CONNECTION_ID),
	STR(struct ow_remove_subscription_info, subscription_name, 1),
	STR(struct ow_remove_subscription_info, client_id, 1),
	END
};

static const struct ow_field control_command[] = {
	COMMAND(struct ow_control_command, c),
	STR(struct ow_control_command, command, 1),
	END
};

static const struct ow_field connection_error[] = {
	COMMAND(struct ow_connection_error, c),
	THROWABLE(struct ow_connection_error, exception, 1),
	NESTED(struct ow_connection_error, connection_id, 1, OWC_CONNECTION_ID),
	END
};

static const struct ow_field consumer_control[] = {
	COMMAND(struct ow_consumer_control, c),
	NESTED(struct ow_consumer_control, destination, 6, OWC_DESTINATION),
	BOOL(struct ow_consumer_control, close, 1),
	NESTED(struct ow_consumer_control, consumer_id, 1, OWC_CONSUMER_ID),
	INT(struct ow_consumer_control, prefetch, 1),
	BOOL(struct ow_consumer_control, flush, 2),
	BOOL(struct ow_consumer_control, start, 2),
	BOOL(struct ow_consumer_control, stop, 2),
	END
};

static const struct ow_field connection_control[] = {
	COMMAND(struct ow_connection_control, c),
	BOOL(struct ow_connection_control, close, 1),
	BOOL(struct ow_connection_control, exit, 1),
	BOOL(struct ow_connection_control, fault_tolerant, 1),
	BOOL(struct ow_connection_control, resume, 1),
	BOOL(struct ow_connection_control, suspend, 1),
	STR(struct ow_connection_control, connected_brokers, 6),
	STR(struct ow_connection_control, reconnect_to, 6),
	BOOL(struct ow_connection_control, rebalance_connection, 6),
	BYTES(struct ow_connection_control, token, 8),
	END
};

static const struct ow_field producer_ack[] = {
	COMMAND(struct ow_producer_ack, c),
	NESTED(struct ow_producer_ack, producer_id, 1, OWC_PRODUCER_ID),
	INT(struct ow_producer_ack, size, 1),
	END
};

static const struct ow_field message_pull[] = {
	COMMAND(struct ow_message_pull, c),
	CACHED(struct ow_message_pull, consumer_id, 1, OWC_CONSUMER_ID),
	CACHED(struct ow_message_pull, destination, 1, OWC_DESTINATION),
	LONG(struct ow_message_pull, timeout, 1),
	STR(struct ow_message_pull, correlation_id, 3),
	NESTED(struct ow_message_pull, message_id, 3, OWC_MESSAGE_ID),
	END
};

static const struct ow_field integer_response[] = {
	COMMAND(struct ow_integer_response, r.c),
	INT(struct ow_integer_response, r.correlation_id, 1),
	INT(struct ow_integer_response, result, 1),
	END
};

/* A DataResponse answers a request for a data structure (a durable
 * subscription's info, say): any type. */
static const struct ow_field data_response[] = {
	COMMAND(struct ow_data_response, r.c),
	INT(struct ow_data_response, r.correlation_id, 1),
	NESTED(struct ow_data_response, data, 1, OWC_ANY),
	END
};

/* A DataArrayResponse answers XA's RECOVER with the prepared
 * transactions' ids (any type, as ActiveMQ's marshaller allows). */
static const struct ow_field data_array_response[] = {
	COMMAND(struct ow_data_array_response, r.c),
	INT(struct ow_data_array_response, r.correlation_id, 1),
	ARRAY(struct ow_data_array_response, data, 1, OWC_ANY),
	END
};

static const struct ow_field connection_id[] = {
	STR(struct ow_connection_id, value, 1),
	END
};

static const struct ow_field broker_id[] = {
	STR(struct ow_broker_id, value, 1),
	END
};

static const struct ow_field session_id[] = {
	STR(struct ow_session_id, connection_id, 1),
	LONG(struct ow_session_id, value, 1),
	END
};

static const struct ow_field producer_id[] = {
	STR(struct ow_producer_id, connection_id, 1),
	LONG(struct ow_producer_id, value, 1),
	LONG(struct ow_producer_id, session_id, 1),
	END
};

static const struct ow_field consumer_id[] = {
	STR(struct ow_consumer_id, connection_id, 1),
	LONG(struct ow_consumer_id, session_id, 1),
	LONG(struct ow_consumer_id, value, 1),
	END
};

static const struct ow_field message_id[] = {
	STR(struct ow_message_id, text_view, 10),
	CACHED(struct ow_message_id, producer_id, 1, OWC_PRODUCER_ID),
	LONG(struct ow_message_id, producer_sequence_id, 1),
	LONG(struct ow_message_id, broker_sequence_id, 1),
	END
};

static const struct ow_field destination[] = {
	STR(struct ow_destination, physical_name, 1),
	END
};

static const struct ow_field subscription_info[] = {
	STR(struct ow_subscription_info, client_id, 1),
	CACHED(struct ow_subscription_info, destination, 1, OWC_DESTINATION),
	STR(struct ow_subscription_info, selector, 1),
	STR(struct ow_subscription_info, subscription_name, 1),
	NESTED(struct ow_subscription_info, subscribed_destination, 3, OWC_DESTINATION),
	BOOL(struct ow_subscription_info, no_local, 11),
	END
};

static const struct ow_field local_transaction_id[] = {
	LONG(struct ow_local_transaction_id, value, 1),
	CACHED(struct ow_local_transaction_id, connection_id, 1, OWC_CONNECTION_ID),
	END
};

/* XATransactionId's two byte arrays are marshalled as byte sequences are. */
static const struct ow_field xa_transaction_id[] = {
	INT(struct ow_xa_transaction_id, format_id, 1),
	BYTES(struct ow_xa_transaction_id, global_transaction_id, 1),
	BYTES(struct ow_xa_transaction_id, branch_qualifier, 1),
	END
};

#define TV(code, since, name, st, klass, aware, fields) \
	{ code, since, name, sizeof(st), klass, aware, fields }
#define T(code, name, st, klass, aware, fields) TV(code, 1, name, st, klass, aware, fields)
#define MSG(code, name) T(code, name, struct ow_message, OWC_COMMAND | OWC_MESSAGE, true, message)

static const struct ow_type ow_types[] = {
	T(OW_WIREFORMAT_INFO, "WireFormatInfo", struct ow_wireformat_info, OWC_COMMAND, true,
	  wireformat_info),
	T(OW_BROKER_INFO, "BrokerInfo", struct ow_broker_info, OWC_COMMAND | OWC_BROKER_INFO, false,
	  broker_info),
	T(OW_CONNECTION_INFO, "ConnectionInfo", struct ow_connection_info, OWC_COMMAND, false,
	  connection_info),
	T(OW_SESSION_INFO, "SessionInfo", struct ow_session_info, OWC_COMMAND, false, session_info),
	T(OW_CONSUMER_INFO, "ConsumerInfo", struct ow_consumer_info, OWC_COMMAND, false,
	  consumer_info),
	T(OW_PRODUCER_INFO, "ProducerInfo", struct ow_producer_info, OWC_COMMAND, false,
	  producer_info),
	T(OW_KEEP_ALIVE_INFO, "KeepAliveInfo", struct ow_command, OWC_COMMAND, false, command_only),
	T(OW_SHUTDOWN_INFO, "ShutdownInfo", struct ow_command, OWC_COMMAND, false, command_only),
	T(OW_REMOVE_INFO, "RemoveInfo", struct ow_remove_info, OWC_COMMAND, false, remove_info),
	T(OW_TRANSACTION_INFO, "TransactionInfo", struct ow_transaction_info, OWC_COMMAND, false,
	  transaction_info),
	T(OW_DESTINATION_INFO, "DestinationInfo", struct ow_destination_info, OWC_COMMAND, false,
	  destination_info),
	T(OW_REMOVE_SUBSCRIPTION_INFO, "RemoveSubscriptionInfo", struct ow_remove_subscription_info,
	  OWC_COMMAND, false, remove_subscription_info),
	T(OW_SUBSCRIPTION_INFO, "SubscriptionInfo", struct ow_subscription_info, OWC_STORED, false,
	  subscription_info),
	T(OW_CONTROL_COMMAND, "ControlCommand", struct ow_control_command, OWC_COMMAND, false,
	  control_command),
	T(OW_FLUSH_COMMAND, "FlushCommand", struct ow_command, OWC_COMMAND, false, command_only),
	T(OW_CONNECTION_ERROR, "ConnectionError", struct ow_connection_error, OWC_COMMAND, false,
	  connection_error),
	T(OW_CONSUMER_CONTROL, "ConsumerControl", struct ow_consumer_control, OWC_COMMAND, false,
	  consumer_control),
	T(OW_CONNECTION_CONTROL, "ConnectionControl", struct ow_connection_control, OWC_COMMAND,
	  false, connection_control),
	TV(OW_PRODUCER_ACK, 3, "ProducerAck", struct ow_producer_ack, OWC_COMMAND, false,
	   producer_ack),
	TV(OW_MESSAGE_PULL, 2, "MessagePull", struct ow_message_pull, OWC_COMMAND, false,
	   message_pull),
	T(OW_INTEGER_RESPONSE, "IntegerResponse", struct ow_integer_response, OWC_COMMAND, false,
	  integer_response),
	T(OW_DATA_RESPONSE, "DataResponse", struct ow_data_response, OWC_COMMAND, false,
	  data_response),
	T(OW_DATA_ARRAY_RESPONSE, "DataArrayResponse", struct ow_data_array_response, OWC_COMMAND,
	  false, data_array_response),
	T(OW_MESSAGE_DISPATCH, "MessageDispatch", struct ow_message_dispatch, OWC_COMMAND, false,
	  message_dispatch),
	T(OW_MESSAGE_ACK, "MessageAck", struct ow_message_ack, OWC_COMMAND, false, message_ack),
	MSG(OW_MESSAGE, "ActiveMQMessage"),
	MSG(OW_BYTES_MESSAGE, "ActiveMQBytesMessage"),
	MSG(OW_MAP_MESSAGE, "ActiveMQMapMessage"),
	MSG(OW_OBJECT_MESSAGE, "ActiveMQObjectMessage"),
	MSG(OW_STREAM_MESSAGE, "ActiveMQStreamMessage"),
	MSG(OW_TEXT_MESSAGE, "ActiveMQTextMessage"),
	T(OW_RESPONSE, "Response", struct ow_response, OWC_COMMAND, false, response),
	T(OW_EXCEPTION_RESPONSE, "ExceptionResponse", struct ow_exception_response, OWC_COMMAND,
	  false, exception_response),
	T(OW_QUEUE, "ActiveMQQueue", struct ow_destination, OWC_DESTINATION, false, destination),
	T(OW_TOPIC, "ActiveMQTopic", struct ow_destination, OWC_DESTINATION, false, destination),
	T(OW_TEMP_QUEUE, "ActiveMQTempQueue", struct ow_destination, OWC_DESTINATION, false,
	  destination),
	T(OW_TEMP_TOPIC, "ActiveMQTempTopic", struct ow_destination, OWC_DESTINATION, false,
	  destination),
	T(OW_MESSAGE_ID, "MessageId", struct ow_message_id, OWC_MESSAGE_ID, false, message_id),
	T(OW_LOCAL_TRANSACTION_ID, "LocalTransactionId", struct ow_local_transaction_id,
	  OWC_TRANSACTION_ID, false, local_transaction_id),
	T(OW_XA_TRANSACTION_ID, "XATransactionId", struct ow_xa_transaction_id, OWC_TRANSACTION_ID,
	  false, xa_transaction_id),
	T(OW_CONNECTION_ID, "ConnectionId", struct ow_connection_id, OWC_CONNECTION_ID, false,
	  connection_id),
	T(OW_SESSION_ID, "SessionId", struct ow_session_id, OWC_SESSION_ID, false, session_id),
	T(OW_CONSUMER_ID, "ConsumerId", struct ow_consumer_id, OWC_CONSUMER_ID, false, consumer_id),
	T(OW_PRODUCER_ID, "ProducerId", struct ow_producer_id, OWC_PRODUCER_ID, false, producer_id),
	T(OW_BROKER_ID, "BrokerId", struct ow_broker_id, OWC_BROKER_ID, false, broker_id),
	TV(OW_NETWORK_BRIDGE_FILTER, 10, "NetworkBridgeFilter", struct ow_network_bridge_filter,
	   OWC_OTHER, false, network_bridge_filter),
};

const struct ow_type *ow_type_find(uint8_t code)
{
	static const struct ow_type *by_code[256];
	static bool indexed;
	if (!indexed) {
		for (size_t i = 0; i < sizeof ow_types / sizeof ow_types[0]; i++)
			by_code[ow_types[i].code] = &ow_types[i];
		indexed = true;
	}
	return by_code[code];
}

/* The codes ActiveMQ defines that have no row yet: named in a refusal so
 * that the log says what a client tried. */
static const struct { uint8_t code; const char *name; } other_names[] = {
	{ OW_BLOB_MESSAGE, "ActiveMQBlobMessage" },
	{ 40, "DiscoveryEvent" }, { 50, "JournalQueueAck" }, { 52, "JournalTopicAck" },
	{ 53, "JournalTrace" }, { 54, "JournalTransaction" }, { 55, "SubscriptionInfo" },
	{ 60, "PartialCommand" }, { 61, "LastPartialCommand" }, { 65, "ReplayCommand" },
	{ 90, "MessageDispatchNotification" },
	{ 92, "BrokerSubscriptionInfo" },
};

const char *ow_code_name(uint8_t code)
{
	const struct ow_type *t = ow_type_find(code);
	if (t)
		return t->name;
	for (size_t i = 0; i < sizeof other_names / sizeof other_names[0]; i++)
		if (other_names[i].code == code)
			return other_names[i].name;
	return NULL;
}
