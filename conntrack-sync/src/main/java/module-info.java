/**
 * conntrackd-compatible state synchronisation.
 */
module io.conntrack4j.sync {
    requires transitive io.conntrack4j.core;
    requires org.agrona.core;
    requires org.jnrproject.unixsocket;

    exports io.conntrack4j.sync;
}
