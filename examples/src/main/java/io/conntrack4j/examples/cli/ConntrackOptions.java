package io.conntrack4j.examples.cli;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.L4Protocol;

/**
 * The part of conntrack(8)'s command line that ct4j implements, parsed the way conntrack 1.4.7
 * parses it (getopt_long: {@code -fipv4}, {@code --family ipv4} and {@code --family=ipv4} are the
 * same; a later {@code -p} wins; the error texts are conntrack's).
 *
 * @param command {@link Command#LIST} or {@link Command#COUNT}
 * @param family the {@code -f} family, or null for both
 * @param protocol the {@code -p} protocol number, or -1 for all
 * @param extended {@code -o extended}
 * @param id {@code -o id}
 * @param kernelTimestamps {@code -o ktimestamp}
 */
record ConntrackOptions(Command command, AddressFamily family, int protocol, boolean extended, boolean id,
        boolean kernelTimestamps) {
    private static final String[] LONG_OPTIONS = {"--dump", "--count", "--family", "--proto", "--protonum", "--output"};

    /** What to do. */
    enum Command {
        /** {@code -L}, {@code --dump}: list the table. */
        LIST,
        /** {@code -C}, {@code --count}: print the number of entries. */
        COUNT
    }

    /**
     * Parses a command line such as {@code -L -f ipv4 -o extended,id}.
     *
     * @param args the arguments
     * @return the options
     * @throws CommandLineException with conntrack's message for what conntrack refuses, or for what
     *     ct4j does not implement yet
     */
    static ConntrackOptions parse(String[] args) throws CommandLineException {
        Command command = null;
        AddressFamily family = null;
        int protocol = -1;
        boolean extended = false;
        boolean id = false;
        boolean kernelTimestamps = false;
        String familyOption = null;
        String protocolOption = null;
        String outputOption = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name;
            String value = null;
            if (arg.startsWith("--")) {
                int equals = arg.indexOf('=');
                name = longName(equals < 0 ? arg : arg.substring(0, equals));
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                }
            } else if (arg.startsWith("-") && arg.length() >= 2) {
                name = arg.substring(0, 2);
                if (arg.length() > 2) {
                    value = arg.substring(2);
                }
            } else if (command != null && i > 0 && isCommand(args[i - 1])) {
                // conntrack reads a word after -L/-C as the table to work on
                table(arg);
                continue;
            } else {
                throw new CommandLineException("unknown option `" + arg + "'");
            }
            Command next = switch (name) {
                case "-L", "--dump" -> Command.LIST;
                case "-C", "--count" -> Command.COUNT;
                default -> null;
            };
            if (next != null) {
                if (value != null && !name.startsWith("--")) {
                    // -Lconntrack: getopt's optional argument
                    table(value);
                } else if (value != null) {
                    throw new CommandLineException("option `" + name + "' doesn't allow an argument");
                }
                if (command != null) {
                    throw new CommandLineException("Invalid commands combination");
                }
                command = next;
                continue;
            }
            String canonical = switch (name) {
                case "-f", "--family" -> "--family";
                case "-p", "--proto", "--protonum" -> "--protonum";
                case "-o", "--output" -> "--output";
                default -> throw new CommandLineException("unknown option `" + arg + "'");
            };
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new CommandLineException("option `" + name + "' requires an argument");
                }
                value = args[++i];
            }
            switch (canonical) {
                case "--family" -> {
                    AddressFamily parsed = AddressFamily.ofConntrackName(value);
                    if (parsed == null) {
                        throw new CommandLineException("`" + value + "' unsupported protocol");
                    }
                    if (family != null && family != parsed) {
                        throw new CommandLineException("mismatched address family");
                    }
                    family = parsed;
                    familyOption = canonical;
                }
                case "--protonum" -> {
                    protocol = protocol(value);
                    protocolOption = canonical;
                }
                default -> {
                    int start = 0;
                    for (String part : value.split(",", -1)) {
                        switch (part) {
                            case "extended" -> extended = true;
                            case "id" -> id = true;
                            case "ktimestamp" -> kernelTimestamps = true;
                            case "xml", "timestamp", "labels", "userspace", "save" ->
                                    throw new CommandLineException("-o " + part + " is not implemented by ct4j yet");
                            // conntrack quotes the rest of the list from the word it did not know
                            default -> throw new CommandLineException("Bad parameter `" + value.substring(start) + "'");
                        }
                        start += part.length() + 1;
                    }
                    outputOption = canonical;
                }
            }
        }
        if (command != Command.LIST) {
            // conntrack checks its options in this order and names the first one -C does not take
            for (String option : new String[] {protocolOption, familyOption, outputOption}) {
                if (option != null) {
                    throw new CommandLineException("Illegal option `" + option + "' with this command");
                }
            }
        }
        if (command == null) {
            throw new CommandLineException("no command specified");
        }
        return new ConntrackOptions(command, family, protocol, extended, id, kernelTimestamps);
    }

    /** getopt_long accepts any unambiguous prefix of a long option. */
    private static String longName(String given) {
        String match = null;
        for (String name : LONG_OPTIONS) {
            if (name.equals(given)) {
                return name;
            }
            if (given.length() > 2 && name.startsWith(given)) {
                if (match != null) {
                    return given;
                }
                match = name;
            }
        }
        return match == null ? given : match;
    }

    private static boolean isCommand(String arg) {
        return arg.equals("-L") || arg.equals("--dump") || arg.equals("-C") || arg.equals("--count");
    }

    private static void table(String name) throws CommandLineException {
        switch (name) {
            case "conntrack" -> { }
            case "expect", "dying", "unconfirmed" ->
                    throw new CommandLineException("the " + name + " table is not implemented by ct4j yet");
            default -> throw new CommandLineException("unknown type `" + name + "'");
        }
    }

    private static int protocol(String value) throws CommandLineException {
        // conntrack compares protocol names without regard to case
        L4Protocol named = L4Protocol.ofConntrackName(value.toLowerCase(java.util.Locale.ROOT));
        if (named != null) {
            return named.number();
        }
        if (!value.isEmpty() && value.length() <= 3 && value.chars().allMatch(Character::isDigit)) {
            int number = Integer.parseInt(value);
            if (number <= 255) {
                return number;
            }
        }
        throw new CommandLineException("`" + value + "' unsupported protocol");
    }
}
