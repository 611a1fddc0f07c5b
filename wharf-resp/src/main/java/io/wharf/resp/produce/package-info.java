/** Producing over RESP: topic keys, each connection's ledger of records awaiting Kafka, and the door's produce budget. */
package io.wharf.resp.produce;
