package org.hzpy.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What one benchmark reports: a Markdown section, its goals, and facts about the run (engine
 * name, versions). A benchmark runs in its own JVM and hands its result back through a file.
 */
final class Result {
    /** One goal of the issue and whether this run met it; {@code met} is null when it was not measured. */
    record Goal(String benchmark, String goal, String measured, Boolean met) {
        String verdict() {
            return met == null ? "not measured" : met ? "yes" : "**no**";
        }
    }

    final String id;
    final String title;
    private final StringBuilder body = new StringBuilder();
    private final List<Goal> goals = new ArrayList<>();
    private final Map<String, String> facts = new LinkedHashMap<>();

    Result(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /** Appends Markdown (a paragraph, a table) to the section; paragraphs are separated by blank lines. */
    Result add(String markdown) {
        if (body.length() > 0) {
            body.append('\n');
        }
        body.append(markdown.endsWith("\n") ? markdown : markdown + "\n");
        return this;
    }

    Result goal(String goal, String measured, Boolean met) {
        goals.add(new Goal(id, goal, measured, met));
        return this;
    }

    Result fact(String key, String value) {
        facts.put(key, value);
        return this;
    }

    String body() {
        return body.toString();
    }

    List<Goal> goals() {
        return goals;
    }

    Map<String, String> facts() {
        return facts;
    }

    /** The result of a benchmark that did not finish. */
    static Result failed(String id, String title, String why) {
        return new Result(id, title).add("**Not measured in this run:** " + why)
                .goal("(its goals)", "benchmark failed", null).fact("failed", "true");
    }

    boolean failed() {
        return facts.containsKey("failed");
    }

    void save(Path file) {
        Properties p = new Properties();
        p.setProperty("id", id);
        p.setProperty("title", title);
        p.setProperty("body", body.toString());
        for (int i = 0; i < goals.size(); i++) {
            Goal g = goals.get(i);
            p.setProperty("goal." + i + ".goal", g.goal());
            p.setProperty("goal." + i + ".measured", g.measured());
            p.setProperty("goal." + i + ".met", String.valueOf(g.met()));
        }
        facts.forEach((k, v) -> p.setProperty("fact." + k, v));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Result load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Result result = new Result(p.getProperty("id"), p.getProperty("title"));
        result.body.append(p.getProperty("body", ""));
        for (int i = 0; p.containsKey("goal." + i + ".goal"); i++) {
            String met = p.getProperty("goal." + i + ".met");
            result.goal(p.getProperty("goal." + i + ".goal"), p.getProperty("goal." + i + ".measured"),
                    "null".equals(met) ? null : Boolean.valueOf(met));
        }
        p.stringPropertyNames().stream().filter(k -> k.startsWith("fact.")).sorted()
                .forEach(k -> result.fact(k.substring("fact.".length()), p.getProperty(k)));
        return result;
    }
}
