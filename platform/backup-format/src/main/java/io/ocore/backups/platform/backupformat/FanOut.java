package io.ocore.backups.platform.backupformat;

import io.ocore.backups.platform.storage.Slabs;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An output stream copied to N consumers at once, each reading its own {@link InputStream} on its
 * own thread, with bounded memory: the bytes are cut into fixed-size chunks, shared read-only by
 * every consumer, and each consumer has a queue of at most {@code queueChunks} chunks. A slow
 * consumer makes the writer wait (backpressure); a consumer that fails or stops reading is
 * dropped, its failure recorded, and the others go on. At most {@code queueChunks + 2} chunks
 * exist at any time, whatever the size of the stream.
 */
public final class FanOut extends OutputStream {

    /** A consumer: reads its stream to the end (e.g. a storage upload); throws to fail. */
    @FunctionalInterface
    public interface Consumer {
        void consume(InputStream in) throws Exception;
    }

    private static final Chunk EOF = new Chunk(ByteBuffer.allocate(0), 0, null);
    private static final int FREE_BUFFERS = 2;

    private final int chunkBytes;
    private final List<Lane> lanes = new ArrayList<>();
    /**
     * Buffers whose chunk every lane has read past, for the next chunks (at most
     * {@value #FREE_BUFFERS} kept, so an idle stream holds no more than before): a stream of any
     * length allocates a few buffers, not one per chunk (each allocation of a 1 MiB chunk that is
     * still queued when the collector runs is copied and promoted, and a small heap spent its time
     * in full collections; docs/adr/0016-jvm-memory-budget.md).
     */
    private final BlockingQueue<ByteBuffer> free;
    /** The chunk being filled: a {@link Slabs} slab when chunks are of its size (off the heap where the budget allows). */
    private ByteBuffer buffer;
    private boolean finished;

    public FanOut(int chunkBytes, int queueChunks, Map<String, Consumer> consumers) {
        this(chunkBytes, queueChunks, consumers, Duration.ofMinutes(5));
    }

    /**
     * @param stallAfter a consumer that has taken no chunk for this long while one waits for it,
     *                   or that has not returned this long after taking the end, is dropped as
     *                   failed ("upload stalled") and no longer waited for
     */
    public FanOut(int chunkBytes, int queueChunks, Map<String, Consumer> consumers, Duration stallAfter) {
        if (chunkBytes < 1 || queueChunks < 1) {
            throw new IllegalArgumentException("chunkBytes and queueChunks must be positive");
        }
        this.chunkBytes = chunkBytes;
        this.free = new ArrayBlockingQueue<>(FREE_BUFFERS);
        this.buffer = newBuffer();
        long stallNanos = stallAfter.toNanos();
        consumers.forEach((id, c) -> lanes.add(new Lane(id, c, queueChunks, stallNanos)));
        lanes.forEach(Lane::start);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new IOException("The stream is already finished");
        }
        while (len > 0) {
            int n = Math.min(len, chunkBytes - buffer.position());
            buffer.put(b, off, n);
            off += n;
            len -= n;
            if (buffer.position() == chunkBytes) {
                // the next buffer first: a published one is never this stream's (or the pool's) again
                ByteBuffer full = buffer;
                ByteBuffer reused = free.poll();
                buffer = reused != null ? reused.clear() : newBuffer();
                publish(full, chunkBytes);
            }
        }
    }

    /** Flush is a no-op: chunks go out when full, so every consumer sees the same chunk boundaries. */
    @Override
    public void flush() {
    }

    /** Does not end the stream: {@link #finish()} does, so an error path never looks like a clean end. */
    @Override
    public void close() {
    }

    /** Sends the last partial chunk and the end of the stream, then waits for every consumer. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        ByteBuffer last = buffer;
        buffer = null; // nothing more is written
        if (last.position() > 0) {
            publish(last, last.position());
        } else {
            Slabs.give(last);
        }
        finished = true;
        for (Lane lane : lanes) {
            lane.offer(EOF);
        }
        awaitConsumers();
        giveBackFree();
    }

    /** Makes every consumer fail with {@code cause} (so no partial object becomes visible), then waits for them. */
    public void abort(Throwable cause) {
        finished = true;
        Slabs.give(buffer); // never published: nothing reads it
        buffer = null;
        Chunk error = new Chunk(ByteBuffer.allocate(0), 0, cause);
        for (Lane lane : lanes) {
            lane.queue.clear();
            lane.queue.offer(error);
        }
        try {
            awaitConsumers();
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Consumers that read everything and returned normally; call after {@link #finish()}. */
    public List<String> succeeded() {
        return lanes.stream().filter(l -> l.failure == null && l.finished && l.sawEof).map(l -> l.id).toList();
    }

    /** Consumer id -> why it failed. */
    public Map<String, Throwable> failures() {
        Map<String, Throwable> out = new LinkedHashMap<>();
        for (Lane l : lanes) {
            if (l.failure != null) {
                out.put(l.id, l.failure);
            } else if (l.finished && !l.sawEof) {
                out.put(l.id, new IOException("The destination stopped reading before the end of the data"));
            }
        }
        return out;
    }

    public boolean allFailed() {
        return lanes.stream().allMatch(Lane::dead);
    }

    private ByteBuffer newBuffer() {
        return chunkBytes == Slabs.SLAB_BYTES ? Slabs.take() : ByteBuffer.allocate(chunkBytes);
    }

    /** The reusable buffers of a stream that has ended go back to the process's slabs. */
    private void giveBackFree() {
        for (ByteBuffer b; (b = free.poll()) != null;) {
            Slabs.give(b);
        }
    }

    private void publish(ByteBuffer data, int length) throws IOException {
        // one count per lane, taken back at once for a lane that no longer takes chunks
        Chunk chunk = new Chunk(data, length, null, lanes.size(), free);
        boolean anyAlive = false;
        for (Lane lane : lanes) {
            if (lane.offer(chunk)) {
                anyAlive = true;
            } else {
                chunk.done();
            }
        }
        if (!anyAlive) {
            throw new AllConsumersFailedException();
        }
    }

    private void awaitConsumers() throws InterruptedIOException {
        for (Lane lane : lanes) {
            try {
                while (!lane.stalled && !lane.thread.join(Duration.ofMillis(50))) {
                    lane.checkStalled();
                }
            } catch (InterruptedException e) {
                lanes.forEach(l -> l.thread.interrupt());
                throw new InterruptedIOException("Interrupted while waiting for the destinations");
            }
        }
    }

    /** Thrown to the writer when no consumer is left: there is no point in producing more. */
    public static final class AllConsumersFailedException extends IOException {
        AllConsumersFailedException() {
            super("Every destination failed");
        }
    }

    /**
     * One chunk, shared by the lanes it was queued on. {@code readers} counts the lanes that have
     * not yet read past it; the last one to do so gives the buffer back for the next chunk. A lane
     * that fails, stalls or stops early never counts down, so its chunks are left to the garbage
     * collector: a buffer is reused only once every lane that could still read it has.
     */
    private static final class Chunk {
        final ByteBuffer data;
        final int length;
        final Throwable error;
        final java.util.concurrent.atomic.AtomicInteger readers;
        final BlockingQueue<ByteBuffer> free;

        Chunk(ByteBuffer data, int length, Throwable error) {
            this(data, length, error, 0, null);
        }

        Chunk(ByteBuffer data, int length, Throwable error, int readers, BlockingQueue<ByteBuffer> free) {
            this.data = data;
            this.length = length;
            this.error = error;
            this.readers = new java.util.concurrent.atomic.AtomicInteger(readers);
            this.free = free;
        }

        ByteBuffer data() {
            return data;
        }

        int length() {
            return length;
        }

        Throwable error() {
            return error;
        }

        /** A lane read past this chunk (or never got it); the last gives the buffer back. */
        void done() {
            if (free != null && readers.decrementAndGet() == 0 && !free.offer(data)) {
                Slabs.give(data);
            }
        }
    }

    private static final class Lane {
        final String id;
        final Consumer consumer;
        final BlockingQueue<Chunk> queue;
        final Thread thread;
        final long stallNanos;
        volatile Throwable failure;
        volatile boolean finished;
        volatile boolean sawEof;
        volatile boolean stalled;
        /** When the consumer last took a chunk (or started). */
        volatile long lastTaken = System.nanoTime();

        Lane(String id, Consumer consumer, int capacity, long stallNanos) {
            this.id = id;
            this.consumer = consumer;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.stallNanos = stallNanos;
            this.thread = Thread.ofPlatform().daemon().name("fanout-" + id).unstarted(this::run);
        }

        /**
         * Drops this consumer if it has taken nothing for {@code stallNanos} (called while data or
         * the end waits for it): failed with "upload stalled", its thread interrupted and no longer
         * waited for, so one destination that stops reading never holds up the others.
         */
        void checkStalled() {
            if (finished || System.nanoTime() - lastTaken <= stallNanos) {
                return;
            }
            long ms = Duration.ofNanos(stallNanos).toMillis();
            failure = new IOException("upload stalled: the destination took no data for "
                    + (ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms"));
            stalled = true;
            finished = true;
            queue.clear();
            thread.interrupt();
        }

        void start() {
            thread.start();
        }

        boolean dead() {
            return finished && (failure != null || !sawEof);
        }

        /** Queues the chunk, waiting while the queue is full; false once this consumer is gone. */
        boolean offer(Chunk chunk) throws InterruptedIOException {
            try {
                while (!finished) {
                    if (queue.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                    checkStalled();
                }
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while writing to destination " + id);
            }
        }

        private void run() {
            LaneInputStream in = new LaneInputStream(this);
            try {
                consumer.consume(in);
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
            } finally {
                finished = true;
                queue.clear(); // never hold chunks for a consumer that is gone
            }
        }
    }

    private static final class LaneInputStream extends InputStream {
        private final Lane lane;
        private Chunk current;
        private int pos;

        LaneInputStream(Lane lane) {
            this.lane = lane;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (lane.sawEof) {
                return -1;
            }
            while (current == null || pos == current.length()) {
                if (current != null) {
                    current.done(); // read to its end: copied out, never read again
                    current = null;
                }
                try {
                    current = lane.queue.take();
                    lane.lastTaken = System.nanoTime();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("Interrupted while reading the backup stream");
                }
                pos = 0;
                if (current.error() != null) {
                    throw new IOException("The backup stream failed: " + current.error().getMessage(), current.error());
                }
                if (current == EOF) {
                    lane.sawEof = true;
                    current = null;
                    return -1;
                }
            }
            int n = Math.min(len, current.length() - pos);
            current.data().get(pos, b, off, n); // absolute: lanes read the same chunk at once
            pos += n;
            return n;
        }
    }
}
