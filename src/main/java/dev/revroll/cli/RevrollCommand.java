package dev.revroll.cli;

import io.micronaut.context.BeanProvider;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Inject;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/**
 * What every revroll subcommand has: its picocli spec (so output goes through picocli's writers, never
 * {@code System.out}), the {@link GlobalOptions}, and the JSON writer for {@code -o json} documents.
 * A subcommand only builds a request, calls the engine or a check, and renders the answer. Subcommands are
 * {@code @Prototype} beans, so Micronaut (through picocli's factory) creates a fresh one per execution and injects
 * the JSON writer.
 */
abstract class RevrollCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Inject
    BeanProvider<JsonMapper> json;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** One compact JSON document (the {@code -o json} output of validate, drift and reconcile). */
    String toJson(Object document) {
        try {
            return json.get().writeValueAsString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
