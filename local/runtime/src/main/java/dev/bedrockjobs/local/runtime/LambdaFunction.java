package dev.bedrockjobs.local.runtime;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.bedrockjobs.lambda.StreamingRoutes;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One {@code AWS::Serverless::Function} of the template, run in this JVM: its handler class is instantiated through
 * its public {@code (Map<String, String> env)} constructor with the environment Lambda would give it, so the code
 * under test reads no process environment and several functions (and stacks) live side by side.
 *
 * <p>{@link #newInstance()} is one execution environment (a cold start). Handlers are stateless apart from their SDK
 * clients, which are thread-safe, so the HTTP front shares one instance among its request threads; the event source
 * mapping gives each of its pollers an instance of its own, as Lambda gives each concurrent invocation its own
 * environment, so that per-instance resources (the worker's thread pool) scale with the concurrency as they do in
 * AWS.
 *
 * @param name        the function's name (its logical id locally)
 * @param handler     the {@code Handler} property, {@code class::method}
 * @param environment the resolved variables, platform ones included
 * @param timeout     the {@code Timeout} property, given to the handler through {@code Context}
 */
record LambdaFunction(String name, String handler, Map<String, String> environment, Duration timeout, int memoryMb) {

    LambdaFunction {
        environment = Map.copyOf(environment);
    }

    /** A running instance: invoke it with events of the handler's input type. */
    interface Instance {
        Object invoke(Object event);

        /** The routes whose answers it can also stream, if it has any: the front streams those. */
        default Optional<StreamingRoutes> streaming() {
            return Optional.empty();
        }
    }

    Instance newInstance() {
        RequestHandler<Object, Object> target = instantiate();
        return new Instance() {
            @Override
            public Object invoke(Object event) {
                return target.handleRequest(
                        event,
                        new LocalLambdaContext(
                                LambdaFunction.this, UUID.randomUUID().toString()));
            }

            @Override
            public Optional<StreamingRoutes> streaming() {
                return target instanceof StreamingRoutes s ? Optional.of(s) : Optional.empty();
            }
        };
    }

    /** A supplier that creates the instance on first use, on the calling thread. */
    Supplier<Instance> lazyInstance() {
        return new Supplier<>() {
            private volatile Instance instance;

            @Override
            public Instance get() {
                Instance i = instance;
                if (i == null) {
                    synchronized (this) {
                        if (instance == null) {
                            instance = newInstance();
                        }
                        i = instance;
                    }
                }
                return i;
            }
        };
    }

    /**
     * The event type the handler declares ({@code I} of {@code RequestHandler<I, O>}), into which Lambda's Java runtime
     * reads a JSON payload; {@code Object} when the class leaves it open or cannot be loaded (instantiating it then
     * says why).
     */
    Type inputType() {
        try {
            for (Class<?> c = Class.forName(className()); c != null; c = c.getSuperclass()) {
                for (Type implemented : c.getGenericInterfaces()) {
                    if (implemented instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                        Type input = p.getActualTypeArguments()[0];
                        return input instanceof TypeVariable<?> ? Object.class : input;
                    }
                }
            }
        } catch (ClassNotFoundException | LinkageError unloadable) {
            return Object.class;
        }
        return Object.class;
    }

    private String className() {
        int sep = handler.indexOf("::");
        return sep < 0 ? handler : handler.substring(0, sep);
    }

    @SuppressWarnings("unchecked")
    private RequestHandler<Object, Object> instantiate() {
        int sep = handler.indexOf("::");
        String className = className();
        String method = sep < 0 ? "handleRequest" : handler.substring(sep + 2);
        try {
            Class<?> type = Class.forName(className);
            if (!RequestHandler.class.isAssignableFrom(type) || !method.equals("handleRequest")) {
                throw new IllegalStateException(name + ": the local runtime runs RequestHandler.handleRequest "
                        + "handlers only, not " + handler);
            }
            Constructor<?> constructor = type.getConstructor(Map.class);
            return (RequestHandler<Object, Object>) constructor.newInstance(environment);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(
                    name + ": handler class " + className + " is not on the classpath "
                            + "(is its module a dependency of local/runtime?)",
                    e);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(
                    name + ": " + className + " needs a public constructor taking the "
                            + "environment (java.util.Map<String, String>)",
                    e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(
                    name + ": " + className + " failed to initialise: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(name + ": cannot instantiate " + className, e);
        }
    }
}
