package io.conntrack4j.core.tracker;

/**
 * A connection tracking helper: reads a master connection's payload and creates expectations, so
 * that the connection it announces is tracked as RELATED. Assigned explicitly per (protocol,
 * server port) with {@link TrackerConfig.Builder#helper}, as {@code nft ... ct helper set} does;
 * Linux no longer assigns helpers by port automatically.
 *
 * <pre>{@code
 * TrackerConfig config = TrackerConfig.builder()
 *         .helper(L4Protocol.TCP, 21, ConnectionHelper.FTP)
 *         .helper(L4Protocol.UDP, 69, ConnectionHelper.TFTP)
 *         .build();
 * }</pre>
 */
public enum ConnectionHelper {
    /**
     * {@code nf_conntrack_ftp}: PORT and EPRT from the client, 227 (PASV) and 229 (EPSV) replies
     * from the server announce a data connection. One expectation per master, 5 minutes.
     */
    FTP("ftp", 1, 300),
    /**
     * {@code nf_conntrack_tftp}: a read or write request expects the server's reply from any
     * source port. One expectation per master, 5 minutes.
     */
    TFTP("tftp", 1, 300);

    private final String helperName;
    private final int maxExpected;
    private final int timeoutSeconds;

    ConnectionHelper(String helperName, int maxExpected, int timeoutSeconds) {
        this.helperName = helperName;
        this.maxExpected = maxExpected;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** @return the kernel's helper name ({@code helper=} in {@code conntrack -L expect}) */
    public String helperName() {
        return helperName;
    }

    /** @return how many expectations one master may have; creating one more evicts the oldest */
    public int maxExpected() {
        return maxExpected;
    }

    /** @return how long an expectation waits for its connection */
    public int timeoutSeconds() {
        return timeoutSeconds;
    }
}
