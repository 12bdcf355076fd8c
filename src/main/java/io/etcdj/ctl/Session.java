package io.etcdj.ctl;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * What a command works with: the cluster client (already synced unless {@code --no-sync}), the
 * keys API over it, the printer for its output format, its streams and the command's deadline.
 *
 * @param deadline {@link System#nanoTime} by which a command other than a watch must be done
 */
record Session(ClusterClient client, KeysApi keys, ResponsePrinter printer, InputStream in, PrintStream out,
               PrintStream err, long deadline) {
}
