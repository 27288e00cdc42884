package dev.conveyor.local.template;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.tree.analysis.SourceInterpreter;
import org.objectweb.asm.tree.analysis.SourceValue;

/**
 * The environment variables a handler's code can read, found in its bytecode: every method of Conveyor's own code
 * ({@code dev.conveyor.*}) reachable from the handler class (calls, constructors, static initializers, lambdas, and
 * for a call on an interface or a class every implementation on the classpath), and in them every read of a
 * variable: a call to a {@link dev.conveyor.config.Config} method whose first parameter is the name,
 * {@link dev.conveyor.config.Env#get}, or {@link System#getenv(String)}.
 *
 * <p>A name is a string constant, or a constant prefix joined with something ({@code "AWS_ENDPOINT_URL_" +
 * service}, reported as {@code AWS_ENDPOINT_URL_*}); anything else is reported as a read the scan cannot name,
 * which the caller must treat as a failure. Code reached only by reflection (ServiceLoader's job handlers) is not
 * seen.
 */
final class EnvironmentReads {
    private static final String OURS = "dev/conveyor/";
    private static final String CONFIG = "dev/conveyor/config/Config";
    private static final String ENV = "dev/conveyor/config/Env";

    /** A read: the variable (or {@code PREFIX*}), whether the code fails without it, and where it is. */
    record Read(String name, boolean required, String where) {
    }

    private final Map<String, ClassNode> classes = new HashMap<>();
    private final Map<String, Set<String>> subtypes;

    private EnvironmentReads(Set<String> ownClasses) {
        subtypes = new HashMap<>();
        for (String name : ownClasses) {
            ClassNode node = node(name);
            if (node == null) {
                continue;
            }
            List<String> supers = new ArrayList<>(node.interfaces);
            if (node.superName != null) {
                supers.add(node.superName);
            }
            for (String s : supers) {
                subtypes.computeIfAbsent(s, k -> new HashSet<>()).add(name);
            }
        }
    }

    /**
     * The reads reachable from each handler class, by class name.
     *
     * @param ownClasses every class of Conveyor's code on the classpath (internal names), to find implementations
     */
    static Map<String, List<Read>> of(Set<String> handlerClasses, Set<String> ownClasses) {
        EnvironmentReads scan = new EnvironmentReads(ownClasses);
        Map<String, List<Read>> reads = new TreeMap<>();
        for (String handler : handlerClasses) {
            reads.put(handler, scan.readsFrom(handler.replace('.', '/')));
        }
        return reads;
    }

    private List<Read> readsFrom(String handler) {
        ClassNode start = node(handler);
        if (start == null) {
            throw new IllegalArgumentException("no class " + handler + " on the classpath");
        }
        Deque<String[]> work = new ArrayDeque<>();
        for (MethodNode m : start.methods) {
            work.add(new String[] {handler, m.name, m.desc});
        }
        Set<String> called = new HashSet<>();
        Set<String> scanned = new HashSet<>();
        Set<Read> reads = new LinkedHashSet<>();
        while (!work.isEmpty()) {
            String[] call = work.poll();
            if (!called.add(key(call))) {
                continue;
            }
            enterClass(call[0], work);
            for (String[] target : implementations(call[0], call[1], call[2])) {
                MethodNode method = method(target[0], target[1], target[2]);
                if (scanned.add(key(target)) && method != null && method.instructions.size() > 0) {
                    scan(target[0], method, work, reads);
                }
            }
        }
        return List.copyOf(reads);
    }

    private static String key(String[] m) {
        return m[0] + "." + m[1] + m[2];
    }

    /** A class's static initializer runs when it is first used. */
    private void enterClass(String owner, Deque<String[]> work) {
        if (owner.startsWith(OURS) && !isPrimitive(owner) && method(owner, "<clinit>", "()V") != null) {
            work.add(new String[] {owner, "<clinit>", "()V"});
        }
    }

    /** The method as declared by the class or its superclasses, and its overrides in the classpath's subtypes. */
    private List<String[]> implementations(String owner, String name, String desc) {
        List<String[]> found = new ArrayList<>();
        for (String c = owner; c != null && c.startsWith(OURS); ) {
            MethodNode m = method(c, name, desc);
            if (m != null) {
                found.add(new String[] {c, name, desc});
                break;
            }
            ClassNode node = node(c);
            c = node == null ? null : node.superName;
        }
        if (!name.startsWith("<")) {
            Deque<String> below = new ArrayDeque<>(subtypes.getOrDefault(owner, Set.of()));
            Set<String> visited = new HashSet<>();
            while (!below.isEmpty()) {
                String sub = below.poll();
                if (!visited.add(sub)) {
                    continue;
                }
                if (method(sub, name, desc) != null) {
                    found.add(new String[] {sub, name, desc});
                }
                below.addAll(subtypes.getOrDefault(sub, Set.of()));
            }
        }
        return found;
    }

    private void scan(String owner, MethodNode method, Deque<String[]> work, Set<Read> reads) {
        Frame<SourceValue>[] frames = null;
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof MethodInsnNode call) {
                String where = owner.replace('/', '.') + "." + method.name;
                if (isRead(call)) {
                    if (frames == null) {
                        frames = frames(owner, method);
                    }
                    int arguments = Type.getArgumentTypes(call.desc).length;
                    Frame<SourceValue> frame = frames[method.instructions.indexOf(call)];
                    if (frame == null) {
                        continue; // unreachable code
                    }
                    SourceValue name = frame.getStack(frame.getStackSize() - arguments);
                    boolean required = call.owner.equals(CONFIG) && call.name.equals("required");
                    reads.add(new Read(nameOf(name), required, where));
                } else if (call.owner.equals("java/lang/System") && call.name.equals("getenv")) {
                    reads.add(new Read("?(System.getenv(): every variable)", false, where));
                } else if (call.owner.startsWith(OURS) && !isPrimitive(call.owner)) {
                    work.add(new String[] {call.owner, call.name, call.desc});
                }
            } else if (insn instanceof InvokeDynamicInsnNode dynamic) {
                for (Object argument : dynamic.bsmArgs) {
                    if (argument instanceof Handle handle && handle.getOwner().startsWith(OURS)) {
                        if (handle.getOwner().equals(ENV) && handle.getName().equals("get")) {
                            continue; // Config.fromEnvironment's source: the reads are Config's calls
                        }
                        if (!isPrimitive(handle.getOwner())) {
                            work.add(new String[] {handle.getOwner(), handle.getName(), handle.getDesc()});
                        }
                    }
                }
            } else if (insn instanceof FieldInsnNode field && field.owner.startsWith(OURS)) {
                enterClass(field.owner, work);
            } else if (insn instanceof TypeInsnNode type && insn.getOpcode() == Opcodes.NEW
                    && type.desc.startsWith(OURS)) {
                enterClass(type.desc, work);
            }
        }
    }

    /** Config and Env are where reads happen: their own code passes names along, it names none. */
    private static boolean isPrimitive(String owner) {
        return owner.equals(CONFIG) || owner.equals(ENV);
    }

    private static boolean isRead(MethodInsnNode call) {
        Type[] arguments = Type.getArgumentTypes(call.desc);
        boolean nameFirst = arguments.length > 0 && arguments[0].getDescriptor().equals("Ljava/lang/String;");
        if (call.owner.equals(CONFIG)) {
            return nameFirst && call.getOpcode() != Opcodes.INVOKESTATIC && !call.name.equals("<init>");
        }
        if (call.owner.equals(ENV)) {
            return nameFirst && call.name.equals("get");
        }
        return call.owner.equals("java/lang/System") && call.name.equals("getenv") && nameFirst;
    }

    private static String nameOf(SourceValue value) {
        if (value.insns.size() == 1) {
            AbstractInsnNode source = value.insns.iterator().next();
            if (source instanceof LdcInsnNode ldc && ldc.cst instanceof String constant) {
                return constant;
            }
            if (source instanceof InvokeDynamicInsnNode concat && concat.name.equals("makeConcatWithConstants")
                    && concat.bsmArgs.length > 0 && concat.bsmArgs[0] instanceof String recipe) {
                int hole = recipe.indexOf('\u0001');
                if (hole > 0) {
                    return recipe.substring(0, hole) + "*";
                }
            }
        }
        return "?(a name that is not a constant)";
    }

    @SuppressWarnings("unchecked")
    private static Frame<SourceValue>[] frames(String owner, MethodNode method) {
        try {
            return new Analyzer<>(new SourceInterpreter()).analyze(owner, method);
        } catch (AnalyzerException e) {
            throw new IllegalStateException("cannot analyze " + owner + "." + method.name, e);
        }
    }

    private MethodNode method(String owner, String name, String desc) {
        ClassNode node = node(owner);
        if (node == null) {
            return null;
        }
        for (MethodNode m : node.methods) {
            if (m.name.equals(name) && m.desc.equals(desc)) {
                return m;
            }
        }
        return null;
    }

    private ClassNode node(String internalName) {
        return classes.computeIfAbsent(internalName, name -> {
            try (InputStream in = EnvironmentReads.class.getClassLoader().getResourceAsStream(name + ".class")) {
                if (in == null) {
                    return null;
                }
                ClassNode node = new ClassNode();
                new ClassReader(in).accept(node, ClassReader.SKIP_FRAMES);
                return node;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
