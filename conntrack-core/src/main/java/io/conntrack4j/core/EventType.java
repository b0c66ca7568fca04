package io.conntrack4j.core;

/**
 * Kinds of conntrack events, with the kernel's netlink multicast groups for connections
 * ({@code NFNLGRP_CONNTRACK_NEW} 1, {@code _UPDATE} 2, {@code _DESTROY} 3) and expectations
 * ({@code NFNLGRP_CONNTRACK_EXP_NEW} 4, {@code _EXP_UPDATE} 5, {@code _EXP_DESTROY} 6), and the
 * label conntrack(8) prints before an event ({@code [NEW]}).
 */
public enum EventType {
    /** A connection (or expectation) was created. */
    NEW(1, 4, "[NEW]"),
    /** A connection changed (state, status, mark, labels, ...). The kernel never emits expectation updates. */
    UPDATE(2, 5, "[UPDATE]"),
    /** A connection (or expectation) was removed. */
    DESTROY(3, 6, "[DESTROY]");

    private final int group;
    private final int expectationGroup;
    private final String label;

    EventType(int group, int expectationGroup, String label) {
        this.group = group;
        this.expectationGroup = expectationGroup;
        this.label = label;
    }

    /**
     * The netlink group of connection events of this kind.
     *
     * @return 1, 2 or 3
     */
    public int group() {
        return group;
    }

    /**
     * The netlink group of expectation events of this kind.
     *
     * @return 4, 5 or 6
     */
    public int expectationGroup() {
        return expectationGroup;
    }

    /**
     * The bit of {@link #group()} in a legacy netlink bind mask.
     *
     * @return {@code 1 << (group - 1)}
     */
    public int groupMask() {
        return 1 << (group - 1);
    }

    /**
     * The bracketed label conntrack(8) prints, e.g. {@code [DESTROY]}.
     *
     * @return the label
     */
    public String label() {
        return label;
    }
}
