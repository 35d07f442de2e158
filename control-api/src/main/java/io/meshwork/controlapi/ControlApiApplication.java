package io.meshwork.controlapi;

import io.meshwork.controlapi.config.StartupFailure;
import io.micronaut.context.exceptions.BeanContextException;
import io.micronaut.context.exceptions.BeanInstantiationException;
import io.micronaut.context.exceptions.DependencyInjectionException;
import io.micronaut.runtime.Micronaut;
import org.slf4j.LoggerFactory;

/** Starts the control API; a configuration mistake ends it with one readable line and exit code 2. */
public final class ControlApiApplication {
    private ControlApiApplication() {
    }

    public static void main(String[] args) {
        Micronaut.build(args)
                .mainClass(ControlApiApplication.class)
                .banner(false)
                .mapError(StartupFailure.class, ControlApiApplication::reportStartupFailure)
                .mapError(BeanContextException.class, ControlApiApplication::reportStartupFailure)
                .mapError(BeanInstantiationException.class, ControlApiApplication::reportStartupFailure)
                .mapError(DependencyInjectionException.class, ControlApiApplication::reportStartupFailure)
                .start();
    }

    private static int reportStartupFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof StartupFailure failure) {
                System.err.println("meshwork control-api: " + failure.getMessage());
                return 2;
            }
        }
        LoggerFactory.getLogger(ControlApiApplication.class).error("control API failed to start", error);
        return 1;
    }
}
