package io.etcdj.ctl;

/** Commands that run until interrupted end with exit code 0 on Ctrl+C, as etcdctl's do. */
final class Interrupts {
    private Interrupts() {}

    @SuppressWarnings("removal")
    static void exitQuietly() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> Runtime.getRuntime().halt(0));
        } catch (IllegalArgumentException | LinkageError e) {
            // no SIGINT handling on this platform: the JVM's default exit code stays
        }
    }
}
