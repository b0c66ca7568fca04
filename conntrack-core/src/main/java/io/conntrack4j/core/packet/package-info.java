/**
 * Packets in: a zero-copy, allocation-free parser ({@link io.conntrack4j.core.packet.PacketView})
 * that fills a reusable view with what the tracker needs from the link, network and transport
 * headers, and reports malformed input as a {@link io.conntrack4j.core.packet.ParseResult} to count.
 */
package io.conntrack4j.core.packet;
