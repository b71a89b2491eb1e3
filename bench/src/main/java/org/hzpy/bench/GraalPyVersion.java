package org.hzpy.bench;

/** A Python expression naming the implementation and language version, e.g. "graalpy 25.0.3 (Python 3.12.8)". */
final class GraalPyVersion {
    static final String EXPRESSION = "(lambda s: s.implementation.name + ' ' + '.'.join(map(str, "
            + "s.implementation.version[:3])) + ' (Python ' + '.'.join(map(str, s.version_info[:3])) + ')')"
            + "(__import__('sys'))";

    private GraalPyVersion() {
    }
}
