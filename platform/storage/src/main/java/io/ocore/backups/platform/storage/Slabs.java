package io.ocore.backups.platform.storage;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The 1 MiB buffers that backup data passes through on its way to the destinations (a fan-out's
 * chunks, an S3 upload's parts), outside the Java heap where the budget allows: in a small heap
 * those short-lived megabytes were copied and promoted by every collection, and the collector ran
 * most of the time (docs/adr/0016-jvm-memory-budget.md).
 *
 * <p>At most {@code ocore.storage.direct-slabs} direct slabs exist at once in the process (a JVM
 * system property; default 0: every slab is a heap array, as before; deploy/k8s/base/jvm-options.env
 * sets it with the direct memory it needs). Past it, or when the JVM refuses direct memory, a slab
 * is an ordinary heap buffer: nothing fails for want of one. A direct slab given back goes to a
 * small pool for the next {@link #take}; a heap slab is left to the collector. Give back only a
 * slab that nothing reads any more.
 */
public final class Slabs {

    public static final int SLAB_BYTES = 1 << 20;

    /** Direct slabs the process may hold at once. */
    public static final int DIRECT_SLABS = Integer.getInteger("ocore.storage.direct-slabs", 0);

    /** Direct slabs kept for the next takes, at most. */
    static final int POOLED = 16;

    private static final BlockingQueue<ByteBuffer> FREE = new ArrayBlockingQueue<>(POOLED);
    private static final AtomicInteger DIRECT_ALIVE = new AtomicInteger();
    private static final Cleaner CLEANER = Cleaner.create();

    private Slabs() {
    }

    /** A cleared slab of {@link #SLAB_BYTES}: a pooled direct one, a new direct one within the budget, else a heap one. */
    public static ByteBuffer take() {
        ByteBuffer reused = FREE.poll();
        if (reused != null) {
            return reused.clear();
        }
        if (DIRECT_ALIVE.incrementAndGet() <= DIRECT_SLABS) {
            try {
                ByteBuffer slab = ByteBuffer.allocateDirect(SLAB_BYTES);
                CLEANER.register(slab, DIRECT_ALIVE::decrementAndGet); // counted until the collector frees it
                return slab;
            } catch (OutOfMemoryError e) {
                // -XX:MaxDirectMemorySize reached (Netty's buffers share it): a heap slab does the same
            }
        }
        DIRECT_ALIVE.decrementAndGet();
        return ByteBuffer.allocate(SLAB_BYTES);
    }

    /** Gives a slab back once nothing reads it any more (a direct one is pooled; others are dropped). */
    public static void give(ByteBuffer slab) {
        if (slab != null && slab.isDirect() && slab.capacity() == SLAB_BYTES) {
            FREE.offer(slab);
        }
    }

    /** Direct slabs alive now (tests). */
    public static int directAlive() {
        return DIRECT_ALIVE.get();
    }
}
