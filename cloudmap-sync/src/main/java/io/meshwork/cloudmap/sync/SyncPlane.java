package io.meshwork.cloudmap.sync;

/**
 * The control plane as a Cloud Map syncer sees it: inside control-api, its store; in the
 * standalone cloudmap-sync process, the control API over HTTP.
 */
public interface SyncPlane {
    /** Takes or renews the sync lease and says what to sync; not leader when another syncer holds it. */
    SyncWork work();

    /** Stores what was found; fails if the lease was lost meanwhile (nothing is stored then). */
    void apply(SyncResult result);

    /** Gives the lease up (on shutdown), so another syncer takes over at once. */
    void release();
}
