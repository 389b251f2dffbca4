package io.ocore.backups.tools.config;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.Parameter;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.MemberValuePair;
import com.github.javaparser.ast.expr.NormalAnnotationExpr;
import com.github.javaparser.ast.expr.SingleMemberAnnotationExpr;
import com.github.javaparser.ast.nodeTypes.NodeWithAnnotations;
import com.github.javaparser.ast.nodeTypes.NodeWithJavadoc;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import com.github.javaparser.ast.type.Type;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads the {@code ocore.*} settings a module declares — {@code @ConfigMapping} interfaces, {@code @ConfigProperty}
 * injection points, and keys only in {@code application.properties} — and renders docs/configuration.md.
 */
public final class ConfigReference {

    /** The services, in the page's order. */
    public static final List<String> SERVICES = List.of("gateway", "destination-service", "backup-service",
            "scheduler-service", "restore-service", "alert-service", "wal-archiver");

    public static final String COMMAND = "./mvnw -pl tools/config-reference test -Docore.config-reference.write=true";

    /** One setting: its property, type, default and description (either may be empty). */
    public record Setting(String property, String type, String defaultValue, String description) {

        /**
         * The environment variable (MicroProfile Config: upper case, every other character
         * {@code _}); a map key {@code <name>} shows as {@code <NAME>} and a list index
         * {@code [<n>]} as {@code _<N>_}, e.g. {@code OCORE_GATEWAY_ROUTES_<N>__PATTERN}.
         */
        public String envVar() {
            String marked = property.replace("[<n>]", "\u0001N\u0002").replace("<name>", "\u0003NAME\u0004");
            return marked.replaceAll("[^A-Za-z0-9\u0001-\u0004]", "_").toUpperCase(java.util.Locale.ROOT)
                    .replace("\u0001N\u0002", "_<N>_").replace("\u0003NAME\u0004", "<NAME>");
        }

        Setting merge(Setting other) {
            return new Setting(property, type.isEmpty() ? other.type : type,
                    defaultValue.isEmpty() ? other.defaultValue : defaultValue,
                    description.isEmpty() ? other.description : description);
        }
    }

    private ConfigReference() {
    }

    // ---------------------------------------------------------------- modules

    /** The module directories (service first) whose settings the service reads: its platform modules, transitively. */
    public static List<Path> modulesOf(Path root, String service) {
        Set<Path> out = new LinkedHashSet<>();
        collect(root, root.resolve(service), out);
        return new ArrayList<>(out);
    }

    private static void collect(Path root, Path module, Set<Path> out) {
        if (!out.add(module)) {
            return;
        }
        for (String artifact : platformDependencies(module.resolve("pom.xml"))) {
            Path dir = root.resolve("platform").resolve(artifact.substring("platform-".length()));
            if (Files.isDirectory(dir)) {
                collect(root, dir, out);
            }
        }
    }

    /** The non-test {@code io.ocore.backups:platform-*} dependencies a pom declares. */
    static List<String> platformDependencies(Path pom) {
        List<String> out = new ArrayList<>();
        try {
            var factory = DocumentBuilderFactory.newInstance();
            var doc = factory.newDocumentBuilder().parse(pom.toFile());
            NodeList deps = doc.getElementsByTagName("dependency");
            for (int i = 0; i < deps.getLength(); i++) {
                Element dep = (Element) deps.item(i);
                if (dep.getParentNode() == null || !"dependencies".equals(dep.getParentNode().getNodeName())
                        || dep.getParentNode().getParentNode() == null
                        || !"project".equals(dep.getParentNode().getParentNode().getNodeName())) {
                    continue; // dependencyManagement, plugin dependencies
                }
                String group = text(dep, "groupId");
                String artifact = text(dep, "artifactId");
                String scope = text(dep, "scope");
                if ("io.ocore.backups".equals(group) && artifact.startsWith("platform-") && !"test".equals(scope)) {
                    out.add(artifact);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pom, e);
        }
        return out;
    }

    private static String text(Element parent, String tag) {
        NodeList list = parent.getElementsByTagName(tag);
        return list.getLength() == 0 ? "" : list.item(0).getTextContent().trim();
    }

    // ---------------------------------------------------------------- sources

    /** The settings one module declares in src/main (Java and application.properties), by property. */
    public static Map<String, Setting> settingsOf(Path module) {
        Map<String, Setting> java = new TreeMap<>();
        Path src = module.resolve("src/main/java");
        if (Files.isDirectory(src)) {
            try (Stream<Path> files = Files.walk(src)) {
                for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    parse(Files.readString(file, StandardCharsets.UTF_8), java);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Path props = module.resolve("src/main/resources/application.properties");
        if (Files.isRegularFile(props)) {
            try {
                Map<String, Setting> shipped = properties(Files.readAllLines(props, StandardCharsets.UTF_8));
                for (Setting s : shipped.values()) {
                    Setting code = java.get(s.property());
                    java.put(s.property(), code == null ? s
                            : new Setting(s.property(), code.type(),
                                    s.defaultValue().isEmpty() ? code.defaultValue() : s.defaultValue(),
                                    code.description().isEmpty() ? s.description() : code.description()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return java;
    }

    /** Adds the settings one Java source declares. */
    public static void parse(String source, Map<String, Setting> out) {
        StaticJavaParser.getParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_21);
        CompilationUnit cu = StaticJavaParser.parse(source);
        for (ClassOrInterfaceDeclaration type : cu.findAll(ClassOrInterfaceDeclaration.class)) {
            Optional<AnnotationExpr> mapping = type.getAnnotationByName("ConfigMapping");
            if (mapping.isPresent()) {
                String prefix = attribute(mapping.get(), "prefix").orElse("");
                mapping(type, prefix, out);
            }
        }
        for (AnnotationExpr a : cu.findAll(AnnotationExpr.class)) {
            if (!a.getNameAsString().equals("ConfigProperty")) {
                continue;
            }
            String name = attribute(a, "name").orElse("");
            if (!name.startsWith("ocore.")) {
                continue;
            }
            String def = attribute(a, "defaultValue").orElse("");
            Node owner = a.getParentNode().orElseThrow();
            String type = "";
            String doc = "";
            if (owner instanceof Parameter p) {
                type = typeName(p.getType());
                doc = p.getParentNode().filter(n -> n instanceof NodeWithJavadoc<?>)
                        .flatMap(n -> ((NodeWithJavadoc<?>) n).getJavadoc())
                        .flatMap(j -> j.getBlockTags().stream()
                                .filter(t -> t.getTagName().equals("param")
                                        && t.getName().map(p.getNameAsString()::equals).orElse(false))
                                .findFirst())
                        .map(t -> clean(t.getContent().toText())).orElse("");
                if (doc.isEmpty()) {
                    doc = commentOf(p);
                }
            } else if (owner instanceof FieldDeclaration f) {
                type = typeName(f.getElementType());
                doc = f.getJavadoc().map(j -> clean(j.getDescription().toText())).orElse("");
            }
            out.merge(name, new Setting(name, type, def, doc), Setting::merge);
        }
    }

    private static String commentOf(Node node) {
        return node.getComment().map(c -> clean(c.getContent().replaceAll("(?m)^\\s*\\*", " "))).orElse("");
    }

    private static void mapping(ClassOrInterfaceDeclaration type, String prefix, Map<String, Setting> out) {
        for (MethodDeclaration m : type.getMethods()) {
            if (m.isStatic() || m.isDefault() || m.getBody().isPresent() || !m.getParameters().isEmpty()) {
                continue;
            }
            boolean parent = m.getAnnotationByName("WithParentName").isPresent();
            String name = attribute(m, "WithName").orElse(kebab(m.getNameAsString()));
            String key = parent ? prefix : prefix.isEmpty() ? name : prefix + "." + name;
            String def = attribute(m, "WithDefault").orElse("");
            String doc = m.getJavadoc().map(j -> clean(j.getDescription().toText())).orElse("");
            Type t = m.getType();
            // unwrap Optional / Map / List to find a nested group
            String keySuffix = "";
            Type element = t;
            String shown = typeName(t);
            if (t instanceof ClassOrInterfaceType c && c.getTypeArguments().isPresent()) {
                var args = c.getTypeArguments().get();
                switch (c.getNameAsString()) {
                    case "Map" -> {
                        keySuffix = ".<name>";
                        element = args.get(args.size() - 1);
                    }
                    case "Optional", "List", "Set" -> element = args.get(0);
                    default -> {
                    }
                }
            }
            Optional<ClassOrInterfaceDeclaration> group = nested(type, element);
            String full = key + keySuffix;
            if (group.isPresent()) {
                boolean list = t instanceof ClassOrInterfaceType c && c.getNameAsString().equals("List");
                mapping(group.get(), full + (list ? "[<n>]" : ""), out);
            } else {
                out.merge(full, new Setting(full, shown, def, doc), Setting::merge);
            }
        }
    }

    /** The interface a type names, if declared in this source (nested or top-level). */
    private static Optional<ClassOrInterfaceDeclaration> nested(ClassOrInterfaceDeclaration from, Type type) {
        if (!(type instanceof ClassOrInterfaceType c)) {
            return Optional.empty();
        }
        String simple = c.getNameAsString();
        Node root = from.findRootNode();
        return root.findAll(ClassOrInterfaceDeclaration.class).stream()
                .filter(d -> d.isInterface() && d.getNameAsString().equals(simple)
                        && d.getAnnotationByName("ConfigMapping").isEmpty())
                .findFirst();
    }

    private static String typeName(Type t) {
        return t.asString();
    }

    private static Optional<String> attribute(NodeWithAnnotations<?> node, String annotation) {
        return node.getAnnotationByName(annotation).flatMap(a -> a instanceof SingleMemberAnnotationExpr s
                ? Optional.of(literal(s.getMemberValue()))
                : attribute(a, "value"));
    }

    private static Optional<String> attribute(AnnotationExpr a, String key) {
        if (a instanceof SingleMemberAnnotationExpr s) {
            return key.equals("value") || key.equals("prefix") || key.equals("name")
                    ? Optional.of(literal(s.getMemberValue())) : Optional.empty();
        }
        if (a instanceof NormalAnnotationExpr n) {
            for (MemberValuePair p : n.getPairs()) {
                if (p.getNameAsString().equals(key)) {
                    return Optional.of(literal(p.getValue()));
                }
            }
        }
        return Optional.empty();
    }

    private static String literal(Expression e) {
        if (e.isStringLiteralExpr()) {
            return e.asStringLiteralExpr().asString();
        }
        if (e.isBinaryExpr() && e.asBinaryExpr().getOperator() == com.github.javaparser.ast.expr.BinaryExpr.Operator.PLUS) {
            return literal(e.asBinaryExpr().getLeft()) + literal(e.asBinaryExpr().getRight());
        }
        if (e.isTextBlockLiteralExpr()) {
            return e.asTextBlockLiteralExpr().asString();
        }
        return e.toString();
    }

    static String kebab(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    b.append('-');
                }
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Javadoc or comment text on one line: {@code x} → `x`, {@link X} → X, HTML stripped. */
    static String clean(String text) {
        // {@code {name}}: one level of braces inside
        String s = text.replaceAll("\\{@(?:code|literal)\\s+((?:[^{}]|\\{[^{}]*})*)}", "`$1`")
                .replaceAll("\\{@(?:link|linkplain)\\s+([^}\\s]*)(?:\\s+([^}]*))?}", "$1")
                .replaceAll("<[^>]+>", "")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        return s.replaceAll("\\s+", " ").trim();
    }

    // ---------------------------------------------------------------- application.properties

    /** The {@code ocore.*} keys an application.properties ships (unprefixed or %prod.), with the comment above. */
    static Map<String, Setting> properties(List<String> lines) {
        Map<String, Setting> out = new TreeMap<>();
        List<String> comment = new ArrayList<>();
        boolean afterKey = false;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#") || line.startsWith("!")) {
                if (afterKey) {
                    comment.clear(); // a new comment block: it describes the keys that follow it
                    afterKey = false;
                }
                comment.add(line.substring(1).strip());
                continue;
            }
            if (line.isEmpty()) {
                comment.clear();
                afterKey = false;
                continue;
            }
            afterKey = true;
            int eq = line.indexOf('=');
            String key = (eq < 0 ? line : line.substring(0, eq)).strip();
            String value = eq < 0 ? "" : line.substring(eq + 1).strip();
            boolean prod = key.startsWith("%prod.");
            if (prod) {
                key = key.substring("%prod.".length());
            }
            // list elements (routes[3].pattern) are values of a List mapping documented as [<n>]
            if (key.startsWith("ocore.") && !key.contains("[") && (prod || !key.startsWith("%"))) {
                // plain text, not Javadoc: no HTML to strip (<NAME> stays); a section rule "---" is not text
                String doc = String.join(" ", comment).replaceAll("^-+\\s*", "").replaceAll("\\s+", " ").trim();
                Setting s = new Setting(key, "", value, doc);
                out.merge(key, s, (old, neu) -> prod ? neu.merge(old) : old.merge(neu));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- page

    /** The settings a service reads, its own and its platform modules', by property. */
    public static Map<String, Setting> serviceSettings(Path root, String service) {
        Map<String, Setting> all = new TreeMap<>();
        List<Path> modules = modulesOf(root, service);
        // platform modules first, the service's own declarations (and its application.properties) last: they win
        for (int i = modules.size() - 1; i >= 0; i--) {
            for (Setting s : settingsOf(modules.get(i)).values()) {
                all.merge(s.property(), s, (old, neu) -> new Setting(neu.property(),
                        neu.type().isEmpty() ? old.type() : neu.type(),
                        neu.defaultValue().isEmpty() ? old.defaultValue() : neu.defaultValue(),
                        neu.description().isEmpty() ? old.description() : neu.description()));
            }
        }
        return all;
    }

    public static String render(Path root) {
        StringBuilder b = new StringBuilder();
        b.append("# Configuration reference\n\n");
        b.append("Generated from the sources by `tools/config-reference`; do not edit by hand. Regenerate with `")
                .append(COMMAND).append("`.\n\n");
        b.append("Every setting can also be given as its environment variable (MicroProfile Config: upper case, ")
                .append("every character other than a letter or digit becomes `_`). A default is what the service ")
                .append("ships with (its `application.properties`, else the code's default); `%dev`/`%test` ")
                .append("profile values are not shown. `<name>` stands for a map key.\n");
        for (String service : SERVICES) {
            Map<String, Setting> settings = serviceSettings(root, service);
            b.append("\n## ").append(service).append("\n\n");
            b.append("| property | environment variable | type | default | description |\n");
            b.append("|---|---|---|---|---|\n");
            for (Setting s : settings.values()) {
                b.append("| `").append(cell(s.property())).append("` | `").append(cell(s.envVar())).append("` | ")
                        .append(s.type().isEmpty() ? "" : "`" + cell(s.type()) + "`").append(" | ")
                        .append(s.defaultValue().isEmpty() ? "" : "`" + cell(s.defaultValue()) + "`").append(" | ")
                        .append(cell(s.description())).append(" |\n");
            }
        }
        return b.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Files.writeString(root.resolve("docs/configuration.md"), render(root), StandardCharsets.UTF_8);
    }
}
