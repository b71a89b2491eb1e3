package org.hzpy.runtime;

import org.hzpy.ContextRouter;
import org.hzpy.PyContext;

import java.util.ArrayList;
import java.util.List;

/** Which scanner json.loads uses in each context ({@code hzpy.json-decoder}), for {@code py.stats()}. Stateless. */
final class JsonDecoders {
    private JsonDecoders() {
    }

    /** "native" or "python" per context index; "starting" for a context not started yet. A moment's answer. */
    static List<String> inUse(ContextRouter router) {
        List<String> decoders = new ArrayList<>();
        for (int i = 0; i < router.numContexts(); i++) {
            PyContext context;
            try {
                context = router.context(i);
            } catch (IndexOutOfBoundsException e) {
                break; // the router stopped meanwhile
            }
            decoders.add(context instanceof PythonContext w ? w.jsonDecoder() : "starting");
        }
        return List.copyOf(decoders);
    }
}
