package io.conntrack4j.netlink.internal;

/** Attributes inside CTA_HELP ({@code enum ctattr_help}). */
public final class CtaHelp {
    /** CTA_HELP_NAME: NUL-terminated string, the helper's name (at most 15 characters). */
    public static final int NAME = 1;
    /** CTA_HELP_INFO: binary, helper-private data. */
    public static final int INFO = 2;

    private CtaHelp() {
    }
}
