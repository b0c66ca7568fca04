/**
 * The kernel's conntrack table over ctnetlink, through jnr-ffi.
 */
module io.conntrack4j.netlink {
    requires transitive io.conntrack4j.core;
    requires org.jnrproject.ffi;

    exports io.conntrack4j.netlink;
    // Not API: jnr-ffi's generated class lives in an unnamed module and must see the binding interface.
    exports io.conntrack4j.netlink.internal.ffi;
}
