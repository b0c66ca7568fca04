package io.conntrack4j.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Decides whether a {@link KernelTest} can run here. A skip is only allowed outside CI: under
 * {@code CI=true} the reason is thrown, which fails the test instead of hiding it.
 */
public final class KernelTestCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Set<String> tools = new LinkedHashSet<>();
        tools.add("ip");
        context.getElement()
                .flatMap(element -> AnnotationSupport.findAnnotation(element, KernelTest.class))
                .ifPresent(annotation -> tools.addAll(List.of(annotation.requires())));
        context.getTestClass()
                .flatMap(type -> AnnotationSupport.findAnnotation(type, KernelTest.class))
                .ifPresent(annotation -> tools.addAll(List.of(annotation.requires())));

        return decide(missingPrerequisite(tools), isCi());
    }

    static ConditionEvaluationResult decide(String reason, boolean ci) {
        if (reason == null) {
            return ConditionEvaluationResult.enabled("root and the required programs are available");
        }
        if (ci) {
            throw new ExtensionConfigurationException(
                    "kernel test cannot run and CI=true forbids skipping it: " + reason);
        }
        return ConditionEvaluationResult.disabled("kernel test skipped: " + reason);
    }

    /** True when the environment variable {@code CI} is {@code true}, as on the CI machine. */
    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** True when this JVM runs as root (uid 0), read from the kernel rather than from $USER. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] fields = line.substring(4).trim().split("\\s+");
                    return "0".equals(fields[1]); // effective uid
                }
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return false;
    }

    static String missingPrerequisite(Set<String> tools) {
        if (!isRoot()) {
            return "needs root (network namespaces and the conntrack table need CAP_NET_ADMIN)";
        }
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (Commands.which(tool) == null) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            return "missing programs on PATH: " + missing + " (bin/setup installs them)";
        }
        return null;
    }
}
