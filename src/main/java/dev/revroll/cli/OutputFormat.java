package dev.revroll.cli;

import picocli.CommandLine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a command prints its result: for a person ({@code text}), for a program ({@code json}), for a pull request ({@code markdown}). */
public enum OutputFormat {
    TEXT, JSON, MARKDOWN;

    /** The name a user types: {@code text}, {@code json}, {@code markdown}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static String validNames() {
        return Arrays.stream(values()).map(OutputFormat::cliName).collect(Collectors.joining(", "));
    }

    /** Parses a user's value case-insensitively; the message names the valid values. */
    public static OutputFormat parse(String value) {
        for (OutputFormat f : values()) {
            if (f.cliName().equalsIgnoreCase(value.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not an output format; valid: " + validNames());
    }

    /** picocli converter for {@code -o/--output}. */
    public static final class Converter implements CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Completion candidates shown in {@code --help}. */
    public static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(values()).map(OutputFormat::cliName).iterator();
        }
    }
}
