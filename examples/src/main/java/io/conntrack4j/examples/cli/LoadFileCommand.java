package io.conntrack4j.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code conntrack -R FILE} ({@code --load-file}, only as the first argument, {@code -} for
 * standard input): one command line per line, as conntrack 1.4.7 reads them. Lines are split on
 * blanks with double quotes and backslashes inside quotes; blank lines and lines starting with
 * {@code #} (after blanks) are skipped. Every line is parsed before any runs, and only -I, -A, -U,
 * -D and -F may appear. The commands then run in order without their "N flow entries have been
 * ..." lines; the first failure ends the run with exit code 1.
 */
final class LoadFileCommand {
    private static final String FAILED = ConntrackCommand.PREFIX + "Operation failed: ";

    private LoadFileCommand() {
    }

    /**
     * Runs the commands of a file.
     *
     * @param file the file name, {@code -} for standard input
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    static int run(String file, PrintStream out, PrintStream err) {
        String name = file.equals("-") ? "/dev/stdin" : file;
        List<String> text;
        try {
            text = lines(Files.readAllBytes(Path.of(name)));
        } catch (IOException | RuntimeException e) {
            return refuse(err, new CommandLineException("Failed to open file " + name + " for reading"));
        }
        List<ConntrackOptions> commands = new ArrayList<>();
        for (String line : text) {
            int start = 0;
            while (start < line.length() && (line.charAt(start) == ' ' || line.charAt(start) == '\t')) {
                start++;
            }
            if (start == line.length() || line.charAt(start) == '\n' || line.charAt(start) == '#') {
                continue;
            }
            String[] argv = split(line.substring(start));
            List<String> warnings = new ArrayList<>();
            ConntrackOptions options;
            try {
                options = ConntrackOptions.parse(argv, warnings);
                warnings.forEach(err::println);
                String refused = refusedCommand(options);
                if (refused != null) {
                    throw new CommandLineException("Cannot use command `" + refused + "' with --load-file");
                }
            } catch (CommandLineException e) {
                warnings.forEach(err::println);
                return refuse(err, e);
            }
            commands.add(options);
        }
        for (ConntrackOptions options : commands) {
            options.useTemplateOf(commands.get(commands.size() - 1));
            ByteArrayOutputStream messages = new ByteArrayOutputStream();
            ConntrackCommand.run(options, out, new PrintStream(messages, true, StandardCharsets.UTF_8));
            boolean failed = false;
            for (String message : messages.toString(StandardCharsets.UTF_8).lines().toList()) {
                // conntrack prints no counts when it reads a file; anything else goes through
                if (message.startsWith(ConntrackCommand.PREFIX) && (message.endsWith(" have been created.")
                        || message.endsWith(" have been added.") || message.endsWith(" have been deleted.")
                        || message.endsWith(" have been updated."))) {
                    continue;
                }
                err.println(message);
                failed |= message.startsWith(FAILED);
            }
            if (failed) {
                return ConntrackCommand.OTHER_PROBLEM;
            }
        }
        return 0;
    }

    private static int refuse(PrintStream err, CommandLineException e) {
        err.println(ConntrackCommand.PREFIX + e.getMessage());
        if (e.otherProblem()) {
            return ConntrackCommand.OTHER_PROBLEM;
        }
        err.println("Try `conntrack -h' or 'conntrack --help' for more information.");
        return ConntrackCommand.PARAMETER_PROBLEM;
    }

    /** The name conntrack gives a command that a file may not hold; null when it may. */
    private static String refusedCommand(ConntrackOptions o) {
        if (o.commandless()) {
            return "unknown";
        }
        String table = o.expect() ? " expect" : "";
        return switch (o.command()) {
            case CREATE -> o.expect() ? "-C expect" : null;
            case ADD, UPDATE, FLUSH -> o.expect() ? "unknown" : null;
            case DELETE -> o.expect() ? "-D expect" : null;
            case LIST -> "-L" + table;
            case GET -> "-G" + table;
            case EVENT -> "-E" + table;
            case COUNT -> "-C" + table;
            case STATS -> "-S" + table;
            case VERSION -> "-V";
            case HELP -> "-h";
        };
    }

    /** The file's lines as fgets into a 10240-byte buffer gives them (a longer line comes in pieces). */
    private static List<String> lines(byte[] bytes) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' || i - start == 10238) {
                lines.add(new String(bytes, start, i + 1 - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            lines.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
        }
        return lines;
    }

    /** iptables' add_param_to_argv, as conntrack took it: blanks split, "..." quotes, \ escapes inside quotes. */
    static String[] split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoteOpen = false;
        boolean escaped = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoteOpen) {
                if (escaped) {
                    word.append(ch);
                    escaped = false;
                    continue;
                } else if (ch == '\\') {
                    escaped = true;
                    continue;
                } else if (ch == '"') {
                    quoteOpen = false;
                } else {
                    word.append(ch);
                    continue;
                }
            } else if (ch == '"') {
                quoteOpen = true;
                continue;
            }
            if (ch == '"') {
                continue;
            }
            if (ch == ' ' || ch == '\t' || ch == '\n') {
                if (word.length() > 0) {
                    words.add(word.toString());
                    word.setLength(0);
                }
                continue;
            }
            word.append(ch);
        }
        if (word.length() > 0) {
            words.add(word.toString());
        }
        return words.toArray(String[]::new);
    }
}
