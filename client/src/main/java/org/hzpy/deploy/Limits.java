package org.hzpy.deploy;

import org.hzpy.PyResourceException;

/** The byte limit of a deployment ({@code hzpy.deploy-max-bytes}) and its message. Stateless. */
final class Limits {
    static final String SETTING = "hzpy.deploy-max-bytes";

    private Limits() {
    }

    /** Refuses {@code total} bytes of files when it is more than {@code maxBytes}. */
    static void checkTotal(long total, long maxBytes) {
        if (total > maxBytes) {
            throw new PyResourceException("refused the deployment: its files are " + total
                    + " bytes or more, over the limit of " + maxBytes + " bytes (" + SETTING
                    + "); deploy less, or raise " + SETTING + " on the members");
        }
    }

    /** Refuses an archive whose entries inflate to more than {@code maxBytes}: stopped as soon as they did. */
    static PyResourceException inflatedPast(String archive, long inflated, long maxBytes) {
        return new PyResourceException("refused " + archive + ": its files inflate to more than " + maxBytes
                + " bytes (stopped at " + inflated + " bytes), over the limit of " + maxBytes + " bytes (" + SETTING
                + "); deploy less, or raise " + SETTING + " on the members");
    }
}
