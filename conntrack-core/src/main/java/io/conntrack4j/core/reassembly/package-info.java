/**
 * IPv4 and IPv6 defragmentation before tracking, with Linux's rules
 * ({@code net/ipv4/ip_fragment.c}, {@code net/ipv4/inet_fragment.c},
 * {@code net/ipv6/netfilter/nf_conntrack_reasm.c}): a {@link io.conntrack4j.core.reassembly.Reassembler}
 * takes IP packets with a timestamp and either lets them through, keeps them, hands back the whole
 * datagram, or drops them with a {@link io.conntrack4j.core.reassembly.DropReason} it counts in
 * {@link io.conntrack4j.core.reassembly.ReassemblyStatistics}. Memory is bounded and preallocated.
 */
package io.conntrack4j.core.reassembly;
