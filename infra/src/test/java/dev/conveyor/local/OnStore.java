package dev.conveyor.local;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The store a {@link LocalRuntimeTest} runs the platform on, the template's {@code Store}: so that one suite,
 * subclassed with this annotation, runs on both ({@code EndToEndDataApiIT extends EndToEndIT}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface OnStore {
    String value();
}
