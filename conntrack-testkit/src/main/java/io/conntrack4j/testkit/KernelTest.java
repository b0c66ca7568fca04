package io.conntrack4j.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs root and the real kernel: network namespaces, veth links, nftables and
 * the kernel's conntrack table.
 *
 * <p>Without root the test is skipped with a visible reason. With the environment variable
 * {@code CI=true} that skip becomes a failure, so CI can never go green while running none of
 * these tests. Tools named in {@link #requires()} must be on the {@code PATH} under the same rule.
 *
 * <pre>{@code
 * @KernelTest(requires = {"conntrack", "nft"})
 * class MyKernelTest {
 *     @RegisterExtension final NetworkLab lab = new NetworkLab();
 *     ...
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag("kernel")
@ExtendWith(KernelTestCondition.class)
public @interface KernelTest {
    /** Programs that must be found on the {@code PATH}, besides {@code ip}. */
    String[] requires() default {};
}
