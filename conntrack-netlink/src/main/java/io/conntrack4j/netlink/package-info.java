/**
 * conntrack4j netlink API.
 */
package io.conntrack4j.netlink;
