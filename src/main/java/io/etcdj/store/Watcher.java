package io.etcdj.store;

/** A registered watch. Cancelling frees it at once (and it stops counting in the store stats). */
public interface Watcher {
    void cancel();
}
