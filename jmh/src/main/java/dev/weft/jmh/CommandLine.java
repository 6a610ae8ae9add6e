package dev.weft.jmh;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The option values of the bench drivers ({@code ./weft bench echo}, {@code ./weft bench http}): a
 * missing or malformed value is one line on standard error naming the command and the option, and
 * exit status 2, before anything starts; {@code --help} prints the usage and exits with 0. Main
 * thread of a driver.
 */
public final class CommandLine {
    private final String command;
    private final String usage;

    /** For the driver called {@code command} in its messages ("echo", "http"), whose options {@code usage} lists. */
    public CommandLine(String command, String usage) {
        this.command = command;
        this.usage = usage;
    }

    /** Prints the usage to standard output and exits with status 0 ({@code --help}). */
    public void help() {
        System.out.println(usage);
        System.exit(0);
    }

    /** Says that {@code argument} is not an option and exits with status 2. */
    public void unknown(String argument) {
        fail("unknown argument '" + argument + "' (--help lists the options)");
    }

    /** {@code value}, the word after {@code option}; exits if there is none. */
    public String value(String option, String value) {
        if (value == null) {
            fail(option + " needs a value");
        }
        return value;
    }

    /** The whole number after {@code option}; exits if there is none or it is not one. */
    public int number(String option, String value) {
        String v = value(option, value);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            fail(option + " needs a number, not '" + v + "'");
            throw new AssertionError(e); // not reached
        }
    }

    /** The comma-separated whole numbers after {@code option}; exits if one is not a number. */
    public List<Integer> numbers(String option, String value) {
        List<Integer> all = new ArrayList<>();
        for (String n : value(option, value).split(",")) {
            try {
                all.add(Integer.parseInt(n));
            } catch (NumberFormatException e) {
                fail(option + " needs numbers separated by commas, not '" + value + "'");
            }
        }
        return all;
    }

    /** Whether an executable called {@code tool} is in a directory of {@code PATH}. */
    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Says {@code problem} and exits with status 2. */
    public void fail(String problem) {
        System.err.println(command + ": " + problem);
        System.exit(2);
    }
}
