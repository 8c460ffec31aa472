package dev.syscage.supervise.hooks;

import dev.syscage.supervise.SyscallHook;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Finds user hooks: classes named in the policy (each made with its public no-argument
 * constructor), then providers listed in {@code META-INF/services/dev.syscage.supervise.SyscallHook}
 * on the class path. A class that is both named and listed is made once, at its named place.
 * Every problem is collected and reported together.
 */
public final class HookLoader {
    static final String SERVICE_FILE = "META-INF/services/" + SyscallHook.class.getName();

    private HookLoader() {}

    /**
     * The named hooks in order, then the discovered ones in class-path order.
     *
     * @throws HookLoadException listing every hook that could not be made
     */
    public static List<SyscallHook> load(List<String> classNames, ClassLoader loader) {
        List<String> problems = new ArrayList<>();
        List<SyscallHook> hooks = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String name : classNames) {
            if (!seen.add(name)) {
                problems.add("hook class '" + name + "' is named twice; name each hook once");
                continue;
            }
            SyscallHook h = instantiate(name, loader, problems);
            if (h != null) {
                hooks.add(h);
            }
        }
        for (SyscallHook h : discover(loader, problems)) {
            if (seen.add(h.getClass().getName())) {
                hooks.add(h);
            }
        }
        if (!problems.isEmpty()) {
            throw new HookLoadException(problems);
        }
        return hooks;
    }

    private static List<SyscallHook> discover(ClassLoader loader, List<String> problems) {
        List<SyscallHook> found = new ArrayList<>();
        Iterator<SyscallHook> it = ServiceLoader.load(SyscallHook.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    return found;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                problems.add("a hook listed in " + SERVICE_FILE + " could not be loaded: " + e.getMessage()
                        + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
            }
        }
    }

    private static SyscallHook instantiate(String name, ClassLoader loader, List<String> problems) {
        String what = "hook class '" + name + "'";
        Class<?> type;
        try {
            type = Class.forName(name, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            problems.add(what + " was not found on the class path (" + e
                    + "); check the name and put its jar on the class path");
            return null;
        }
        if (!SyscallHook.class.isAssignableFrom(type)) {
            problems.add(what + " does not implement " + SyscallHook.class.getName());
            return null;
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            problems.add(what + " is abstract; name a concrete class");
            return null;
        }
        try {
            Constructor<?> c = type.getConstructor();
            return (SyscallHook) c.newInstance();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            problems.add(what + " needs a public class with a public constructor without arguments");
        } catch (InvocationTargetException e) {
            problems.add(what + " failed in its constructor: " + e.getCause());
        } catch (InstantiationException e) {
            problems.add(what + " cannot be instantiated: " + e);
        }
        return null;
    }
}
