package dev.revroll.plan;

import java.util.Optional;

/**
 * An enum a plan spells its own way in YAML ({@code rollback-step} for {@link OnFailure#ROLLBACK_STEP}); the
 * spellings are the plan schema's {@code enum} values for the field.
 */
interface YamlEnum {

    /** How a plan writes this constant. */
    String yaml();

    /** The constant of {@code type} a plan writes as {@code text}; empty when none is (the schema check reports it). */
    static <E extends Enum<E> & YamlEnum> Optional<E> fromYaml(Class<E> type, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.yaml().equals(text)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
