package io.bolmo4j.chat;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.Collection;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Calls of Python {@code str} methods on strings ({@code content.strip()}, {@code role.startswith('sys')}), which
 * jinja2 evaluates as Python and Jinjava would otherwise look up as Java methods (absent, or with other semantics).
 * Consulted before Jinjava's own resolvers; anything else passes through.
 */
final class PythonMethods extends ELResolver {
    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] p = params == null ? new Object[0] : params;
        Object result = call(s, method.toString(), p);
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    /** The result of {@code s.name(args)}, or null when that is not a Python string method handled here. */
    private static Object call(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> PythonStrings.strip(s, optString(a, 0), true, true);
            case "lstrip" -> PythonStrings.strip(s, optString(a, 0), true, false);
            case "rstrip" -> PythonStrings.strip(s, optString(a, 0), false, true);
            case "startswith" -> anyMatch(a, s::startsWith);
            case "endswith" -> anyMatch(a, s::endsWith);
            case "split" -> PythonStrings.split(s, optString(a, 0), a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> PythonStrings.title(s);
            case "capitalize" -> PythonStrings.capitalize(s);
            case "replace" -> PythonStrings.replace(s, String.valueOf(a[0]), String.valueOf(a[1]),
                    a.length > 2 ? ((Number) a[2]).intValue() : -1);
            case "find" -> (long) s.indexOf(String.valueOf(a[0]));
            default -> null;
        };
    }

    private static String optString(Object[] a, int i) {
        return a.length > i && a[i] != null ? a[i].toString() : null;
    }

    /** {@code startswith}/{@code endswith} take one prefix or a tuple of them. */
    private static boolean anyMatch(Object[] a, Predicate<String> test) {
        if (a.length > 0 && a[0] instanceof Collection<?> options) {
            return options.stream().anyMatch(o -> test.test(String.valueOf(o)));
        }
        return test.test(String.valueOf(a[0]));
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // read-only: templates never assign through this resolver
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
