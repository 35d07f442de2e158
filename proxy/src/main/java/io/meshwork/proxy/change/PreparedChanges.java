package io.meshwork.proxy.change;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of one configuration change, prepared in order: committed all together around the
 * switch of the configuration in force, or aborted all together (newest first) when one of them
 * could not be prepared.
 */
public final class PreparedChanges {
    private static final Logger LOG = LoggerFactory.getLogger(PreparedChanges.class);

    private final List<PreparedChange> prepared = new ArrayList<>();

    public void add(PreparedChange change) {
        prepared.add(change);
    }

    /** Commits every part, runs {@code swap} (the one-reference switch), then releases what only the previous configuration used. */
    public void commit(Runnable swap) {
        prepared.forEach(PreparedChange::commit);
        swap.run();
        prepared.forEach(PreparedChange::releasePrevious);
        prepared.clear();
    }

    /** Aborts every part prepared so far; one abort failing does not keep the others from running. */
    public void abort() {
        for (int i = prepared.size() - 1; i >= 0; i--) {
            try {
                prepared.get(i).abort();
            } catch (RuntimeException e) {
                LOG.warn("could not discard part of a refused configuration: {}", e.toString());
            }
        }
        prepared.clear();
    }
}
