package io.bolmo4j.train;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a component of a settings record means, for the front ends that derive their options from the record: the
 * command line's help (and option name), the DSL's error messages. A component without it is a nested settings record.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Setting {
    /** One line of help, without the default (front ends add it). */
    String value();

    /** The command-line option when it is not the component's name in kebab case, e.g. {@code --bytes}. */
    String option() default "";
}
