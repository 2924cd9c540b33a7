package io.bolmo4j.train;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings records read and changed by their components' names: a record's settings are its {@link Setting}
 * components, and those of the settings records nested in it (a {@link Loop}). This is what lets a setting live in
 * one place: checkpoints record {@link #values}, the command line builds its options from {@link #of}, and the DSL and
 * the command line change a setting with {@link #with}, which runs the record's own validation.
 */
public final class Settings {
    private Settings() {}

    /**
     * One setting of a record: its component name, type, value, help line and command-line option (the component's
     * name in kebab case unless {@link Setting#option()} names another).
     */
    public record Entry(String name, Class<?> type, Object value, String help, String option) {}

    /** The settings of {@code settings}, nested records' in place, in declaration order. */
    public static List<Entry> of(Record settings) {
        List<Entry> out = new ArrayList<>();
        for (RecordComponent c : settings.getClass().getRecordComponents()) {
            Object value = read(c, settings);
            Setting s = c.getAnnotation(Setting.class);
            if (s == null && value instanceof Record nested) {
                out.addAll(of(nested));
            } else if (s != null) {
                out.add(new Entry(c.getName(), c.getType(), value, s.value(),
                        s.option().isEmpty() ? "--" + kebab(c.getName()) : s.option()));
            }
        }
        return out;
    }

    /** The settings' values by name (what a checkpoint records and a resume compares). */
    public static Map<String, Object> values(Record settings) {
        Map<String, Object> values = new LinkedHashMap<>();
        of(settings).forEach(e -> values.put(e.name(), e.value()));
        return values;
    }

    /** The setting called {@code name}. */
    public static Entry entry(Record settings, String name) {
        return of(settings).stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no setting " + name + "; the settings are " + names(settings)));
    }

    /** The settings' names, in declaration order. */
    public static List<String> names(Record settings) {
        return of(settings).stream().map(Entry::name).toList();
    }

    /**
     * A copy of {@code settings} with setting {@code name} (of it or of a nested record) set to {@code value}: a value
     * of the setting's type, a number that converts exactly, or text as typed on a command line (an enum's constant in
     * any case). The record's constructor validates it.
     */
    public static <R extends Record> R with(R settings, String name, Object value) {
        entry(settings, name);
        return rebuilt(settings, name, value);
    }

    @SuppressWarnings("unchecked")
    private static <R extends Record> R rebuilt(R settings, String name, Object value) {
        RecordComponent[] cs = settings.getClass().getRecordComponents();
        Object[] args = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            types[i] = cs[i].getType();
            args[i] = read(cs[i], settings);
            if (cs[i].getName().equals(name) && cs[i].isAnnotationPresent(Setting.class)) {
                args[i] = convert(value, cs[i].getType(), name);
            } else if (args[i] instanceof Record nested && !cs[i].isAnnotationPresent(Setting.class)) {
                args[i] = rebuilt(nested, name, value);
            }
        }
        try {
            Constructor<?> canonical = settings.getClass().getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return (R) canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // the record's validation
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild " + settings.getClass().getSimpleName(), e);
        }
    }

    /** A value as {@code type}: itself, an exactly converted number, or parsed text. */
    private static Object convert(Object v, Class<?> type, String name) {
        try {
            if (v instanceof String text && type.isEnum()) {
                return Arrays.stream(type.getEnumConstants()).filter(c -> ((Enum<?>) c).name().equalsIgnoreCase(text.trim()))
                        .findFirst().orElseThrow(IllegalArgumentException::new);
            }
            Object value = v instanceof String text ? Double.valueOf(text.trim()) : v;
            if (value instanceof Number n && (type == int.class || type == long.class) && n.doubleValue() == n.longValue()) {
                return type == int.class ? (Object) Math.toIntExact(n.longValue()) : (Object) n.longValue();
            }
            if (value instanceof Number n && type == double.class) {
                return n.doubleValue();
            }
            if (type.isInstance(value) || type == boolean.class && value instanceof Boolean) {
                return value;
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // reported below
        }
        throw new SettingException(name, type.isEnum() ? "one of " + Arrays.toString(type.getEnumConstants())
                : "a value of type " + type.getSimpleName(), v);
    }

    /** Validates one setting with a message that names it and the value given. */
    public static void require(boolean ok, String setting, String expected, Object value) {
        if (!ok) {
            throw new SettingException(setting, expected, value);
        }
    }

    /** A record's components by name, in declaration order (for records of results, e.g. a step's losses). */
    public static Map<String, Object> components(Record r) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            values.put(c.getName(), read(c, r));
        }
        return values;
    }

    /** {@code camelCase} as {@code camel_case}. */
    public static String snake(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    /** {@code camelCase} as {@code camel-case}. */
    public static String kebab(String camel) {
        return snake(camel).replace('_', '-');
    }

    private static Object read(RecordComponent c, Record r) {
        try {
            Method accessor = c.getAccessor();
            accessor.setAccessible(true); // records of results may be private to their stage's package
            return accessor.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r, e);
        }
    }
}
