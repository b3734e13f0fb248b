package dev.revroll.e2e.world;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a test class or method needs of the world. Where the chosen backend ({@link WorldBackendChoice}) lacks any of
 * it, the test is skipped with the reason (JUnit reports it as skipped), instead of failing against a world that
 * cannot do what it asks.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(NeedsCondition.class)
public @interface Needs {
    WorldFeature[] value();
}
