package io.ocore.backups.wal.ingest;

import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.wal.config.WalSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;

/**
 * Opened destinations that WAL transfers reuse (ADR 0017 "Throughput"): opening one asks
 * destination-service for its configuration and builds a driver (an S3 client, an SSH session),
 * which cost more than storing a compressed segment. Each opened destination serves one transfer
 * at a time (drivers need not be thread-safe); it is closed once idle for
 * {@code ocore.wal.destination-idle}, and never handed out again once older than
 * {@code ocore.wal.destination-reuse}, so a changed configuration or credential is used within
 * that time. One that failed a transfer is closed, not reused. Opening failures are not kept: the
 * next transfer asks again.
 */
@ApplicationScoped
public class OpenDestinations {

    /** An opened destination lent to one transfer; closing gives it back (or drops it after {@link #failed}). */
    public interface Lease extends AutoCloseable {
        /** The destination, or why it could not be opened ({@link Destinations.Opened#ok()} false). */
        Destinations.Opened opened();

        /** The transfer failed on this destination: closing the lease closes the driver. */
        void failed();

        @Override
        void close();
    }

    private record Key(UUID orgId, UUID destinationId) {
    }

    /** An opening that failed, carried out of the pool's factory. */
    private static final class NotOpened extends Exception {
        final transient Destinations.Opened opened;

        NotOpened(Destinations.Opened opened) {
            super(opened.failure(), null, false, false);
            this.opened = opened;
        }
    }

    private final GenericKeyedObjectPool<Key, Destinations.Opened> pool;

    public OpenDestinations(Destinations destinations, WalSettings settings) {
        Duration reuse = settings.destinationReuse();
        GenericKeyedObjectPoolConfig<Destinations.Opened> config = new GenericKeyedObjectPoolConfig<>();
        config.setMaxTotalPerKey(-1); // TransferSlots bounds the transfers
        config.setMaxTotal(-1);
        config.setMaxIdlePerKey(Math.max(1, settings.maxConcurrentTransfers()));
        config.setBlockWhenExhausted(false);
        config.setTestOnBorrow(true);
        config.setLifo(true);
        config.setMinEvictableIdleDuration(settings.destinationIdle());
        config.setTimeBetweenEvictionRuns(Duration.ofSeconds(5));
        config.setNumTestsPerEvictionRun(-1);
        config.setJmxEnabled(false);
        this.pool = new GenericKeyedObjectPool<>(new BaseKeyedPooledObjectFactory<>() {
            @Override
            public Destinations.Opened create(Key key) throws NotOpened {
                Destinations.Opened o = destinations.open(key.orgId(), key.destinationId());
                if (!o.ok()) {
                    throw new NotOpened(o);
                }
                return o;
            }

            @Override
            public PooledObject<Destinations.Opened> wrap(Destinations.Opened o) {
                return new DefaultPooledObject<>(o);
            }

            @Override
            public boolean validateObject(Key key, PooledObject<Destinations.Opened> p) {
                return p.getCreateInstant().plus(reuse).isAfter(Instant.now());
            }

            @Override
            public void destroyObject(Key key, PooledObject<Destinations.Opened> p) {
                try {
                    p.getObject().storage().close();
                } catch (RuntimeException ignored) {
                    // closing a driver never fails a transfer
                }
            }
        }, config);
    }

    /** Lends an opened destination (one made now if none is idle and fresh enough). */
    public Lease borrow(UUID orgId, UUID destinationId) {
        Key key = new Key(orgId, destinationId);
        Destinations.Opened o;
        try {
            o = pool.borrowObject(key);
        } catch (NotOpened e) {
            Destinations.Opened failed = e.opened;
            return new Lease() {
                public Destinations.Opened opened() {
                    return failed;
                }

                public void failed() {
                }

                public void close() {
                }
            };
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not open destination " + destinationId, e);
        }
        return new Lease() {
            private boolean failed;
            private boolean closed;

            public Destinations.Opened opened() {
                return o;
            }

            public void failed() {
                failed = true;
            }

            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    if (failed) {
                        pool.invalidateObject(key, o);
                    } else {
                        pool.returnObject(key, o);
                    }
                } catch (Exception e) {
                    // the pool closed meanwhile (shutdown): the driver is closed with it
                }
            }
        };
    }

    /** Opened destinations kept now (idle or lent). */
    int size() {
        return pool.getNumIdle() + pool.getNumActive();
    }

    @PreDestroy
    void close() {
        pool.close();
    }
}
