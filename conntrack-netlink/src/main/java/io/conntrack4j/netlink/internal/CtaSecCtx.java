package io.conntrack4j.netlink.internal;

/** Attributes inside CTA_SECCTX ({@code enum ctattr_secctx}). */
public final class CtaSecCtx {
    /** CTA_SECCTX_NAME: NUL-terminated string, the LSM security context. */
    public static final int NAME = 1;

    private CtaSecCtx() {
    }
}
