/** Consuming over RESP: consumer-group members per connection, blocking pops, acknowledgements and reply formats. */
package io.wharf.resp.consume;
