/**
 * Not API: the jnr-ffi binding of libc. This package is exported only because jnr-ffi generates the
 * binding's implementation in the unnamed module of its own class loader, which can implement an
 * interface only from an unconditionally exported package (on the module path a qualified export
 * cannot name an unnamed module). It may change in any release.
 */
package io.conntrack4j.netlink.internal.ffi;
