/** Producing over RESP: topic keys, each connection's ledger of unacknowledged records, and the door's produce budget. */
package io.wharf.resp.produce;
