package org.hzpy.bench;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/** Keeps Hazelcast's and hzpy's INFO lines out of the benchmark output; warnings still show. */
final class Logs {
    private Logs() {
    }

    static void quiet() {
        System.setProperty("hazelcast.logging.type", "jdk");
        Logger root = LogManager.getLogManager().getLogger("");
        root.setLevel(Level.WARNING);
        for (Handler h : root.getHandlers()) {
            h.setLevel(Level.WARNING);
        }
    }
}
