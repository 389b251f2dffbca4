package io.ocore.backups.platform.storage.s3;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.Capabilities;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.Keys;
import io.ocore.backups.platform.storage.PinnedResolver;
import io.ocore.backups.platform.storage.Probe;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.storage.UploadSource;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3 and S3-compatible object storage through the AWS SDK v2 sync client. Streams of unknown
 * length go up as one PutObject when shorter than a part, else as a multipart upload with up to
 * three parts in flight while the process-wide part budget allows ({@link PartBuffer}), aborted on
 * any failure so no parts linger.
 * Each part is a replayable body, so the SDK's own retry covers transient failures per part.
 */
public final class S3Storage implements BackupStorage {

    private static final Logger LOG = Logger.getLogger(S3Storage.class);

    /** 8 MiB parts: 10,000 parts reach 78 GiB; larger parts for bigger objects via uploadChunkBytes. */
    static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    static final int PARTS_IN_FLIGHT = 2;

    private final DestinationType type;
    private final S3Config config;
    private final S3Client client;
    private final int partSize;
    private final ExecutorService uploads;

    public S3Storage(DestinationType type, S3Config config, StorageOptions options) {
        this.type = type;
        this.config = config;
        this.partSize = options.uploadChunkBytes() > 0 ? Math.max(MIN_PART_SIZE, options.uploadChunkBytes())
                : DEFAULT_PART_SIZE;
        ApacheHttpClient.Builder http = ApacheHttpClient.builder()
                .connectionTimeout(options.connectTimeout())
                .socketTimeout(options.requestTimeout())
                .maxConnections(16);
        if (config.endpoint() != null) {
            // resolved and judged once for this storage; every connection goes to those addresses
            http.dnsResolver(new PinnedResolver(options.allowPrivateEndpoints(), options.resolver())::resolve);
        }
        var builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())))
                .forcePathStyle(config.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(http);
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        this.client = builder.build();
        AtomicInteger n = new AtomicInteger();
        this.uploads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "s3-part-upload-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private String objectKey(String key) {
        return Keys.join(config.pathPrefix(), Keys.check(key));
    }

    @Override
    public StoredObject put(String key, InputStream data) {
        String objectKey = objectKey(key);
        UploadSource in = new UploadSource(data);
        PartBuffer first = new PartBuffer();
        int n = first.fill(in, partSize);
        if (n < partSize) {
            try {
                if (checksums && checksumsProbed(objectKey)) {
                    String crc = first.crc32c();
                    try {
                        client.putObject(b -> b.bucket(config.bucket()).key(objectKey).contentLength((long) n)
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).checksumCRC32C(crc), first.body());
                        first.release();
                        return new StoredObject(key, n);
                    } catch (S3Exception e) {
                        if (!checksumsRefused(e)) {
                            throw e;
                        }
                    }
                }
                client.putObject(b -> b.bucket(config.bucket()).key(objectKey).contentLength((long) n),
                        first.body());
                first.release();
                return new StoredObject(key, n);
            } catch (RuntimeException e) {
                throw S3Errors.map(e, config, "write");
            }
        }
        return multipart(key, objectKey, in, first);
    }

    /**
     * Whether uploads send their CRC32C (docs/storage.md "Integrity": the server computes it over
     * what it received and refuses the part when they differ); turned off for this storage when the
     * server answers 501 to them.
     */
    private volatile boolean checksums = true;

    /**
     * A server that does not implement flexible checksums (s3proxy, older S3-compatibles) answers
     * 501 NotImplemented: this storage then uploads without them (logged once), as before.
     */
    private boolean checksumsRefused(S3Exception e) {
        if (e.statusCode() != 501) {
            return false;
        }
        checksums = false;
        LOG.infof("S3 destination %s does not implement upload checksums (x-amz-checksum-crc32c): uploading"
                + " without them", config.endpoint() == null ? "(AWS)" : config.endpoint().getHost());
        return true;
    }

    private volatile boolean probed;

    /**
     * Before the first single-request upload with a checksum: a server that refuses checksums may
     * answer 501 while the body is still being sent and reset the connection (s3proxy does), which
     * the client sees as an I/O error, not as the 501. So the first one asks with a request that has
     * no body (a multipart upload started with the checksum, then aborted). Multipart uploads start
     * with that request anyway. Other failures are left to the real upload to report.
     */
    private boolean checksumsProbed(String objectKey) {
        if (probed) {
            return checksums;
        }
        synchronized (this) {
            if (!probed) {
                try {
                    String id = client.createMultipartUpload(b -> b.bucket(config.bucket()).key(objectKey)
                            .checksumAlgorithm(ChecksumAlgorithm.CRC32_C)).uploadId();
                    client.abortMultipartUpload(b -> b.bucket(config.bucket()).key(objectKey).uploadId(id));
                    probed = true;
                } catch (S3Exception e) {
                    probed = checksumsRefused(e);
                } catch (RuntimeException e) {
                    // unreachable or refused for another reason: the upload itself says so
                }
            }
        }
        return checksums;
    }

    /** Whether this storage still sends upload checksums (false once the server refused them). */
    public boolean sendsChecksums() {
        return checksums;
    }

    /** A CRC32C as {@code x-amz-checksum-crc32c} carries it (base64, big-endian). */
    static String crc32c(byte[] buf, int len) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(buf, 0, len);
        return crc32cHeader(crc);
    }

    static String crc32cHeader(java.util.zip.CRC32C crc) {
        return java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4)
                .putInt((int) crc.getValue()).array());
    }

    private StoredObject multipart(String key, String objectKey, UploadSource in, PartBuffer first) {
        String uploadId;
        try {
            String id = null;
            if (checksums) {
                try {
                    id = client.createMultipartUpload(b -> b.bucket(config.bucket()).key(objectKey)
                            .checksumAlgorithm(ChecksumAlgorithm.CRC32_C)).uploadId();
                } catch (S3Exception e) {
                    if (!checksumsRefused(e)) {
                        throw e;
                    }
                }
            }
            uploadId = id != null ? id
                    : client.createMultipartUpload(b -> b.bucket(config.bucket()).key(objectKey)).uploadId();
        } catch (RuntimeException e) {
            throw S3Errors.map(e, config, "write");
        }
        boolean withChecksums = checksums;
        // this upload's own buffer, plus extras while the process-wide budget allows (PartBuffer)
        BlockingQueue<PartBuffer> free = new ArrayBlockingQueue<>(PARTS_IN_FLIGHT + 1);
        int extras = 0;
        List<Future<CompletedPart>> parts = new ArrayList<>();
        try {
            PartBuffer buf = first;
            int len = partSize;
            long total = 0;
            int partNumber = 0;
            while (len > 0) {
                partNumber++;
                total += len;
                failFast(parts);
                final PartBuffer part = buf;
                final int partLen = len;
                final int number = partNumber;
                parts.add(uploads.submit(() -> {
                    try {
                        if (!withChecksums) {
                            String etag = client.uploadPart(b -> b.bucket(config.bucket()).key(objectKey)
                                    .uploadId(uploadId).partNumber(number).contentLength((long) partLen),
                                    part.body()).eTag();
                            return CompletedPart.builder().partNumber(number).eTag(etag).build();
                        }
                        String crc = part.crc32c();
                        String etag = client.uploadPart(b -> b.bucket(config.bucket()).key(objectKey)
                                .uploadId(uploadId).partNumber(number).contentLength((long) partLen)
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).checksumCRC32C(crc),
                                part.body()).eTag();
                        return CompletedPart.builder().partNumber(number).eTag(etag).checksumCRC32C(crc).build();
                    } finally {
                        free.add(part);
                    }
                }));
                buf = free.poll();
                if (buf == null) {
                    if (extras < PARTS_IN_FLIGHT && PartBuffer.EXTRA_PARTS.tryAcquire()) {
                        extras++;
                        buf = new PartBuffer();
                    } else {
                        buf = free.take();
                    }
                }
                len = buf.fill(in, partSize);
            }
            List<CompletedPart> completed = new ArrayList<>(parts.size());
            for (Future<CompletedPart> f : parts) {
                completed.add(await(f));
            }
            client.completeMultipartUpload(b -> b.bucket(config.bucket()).key(objectKey).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build()));
            // every part's request has completed: their slabs may serve other uploads
            buf.release();
            for (PartBuffer p; (p = free.poll()) != null;) {
                p.release();
            }
            return new StoredObject(key, total);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(objectKey, uploadId, parts);
            throw new StorageException(StorageException.Kind.PERMANENT, "The upload was interrupted; nothing was stored.", e);
        } catch (RuntimeException | Error e) {
            abort(objectKey, uploadId, parts);
            throw S3Errors.map(e, config, "write");
        } finally {
            PartBuffer.EXTRA_PARTS.release(extras);
        }
    }

    private static void failFast(List<Future<CompletedPart>> parts) throws InterruptedException {
        for (Future<CompletedPart> f : parts) {
            if (f.isDone()) {
                await(f);
            }
        }
    }

    private static CompletedPart await(Future<CompletedPart> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void abort(String objectKey, String uploadId, List<Future<CompletedPart>> parts) {
        // wait for the (at most two) parts still on the wire, else one could land after the abort
        // and linger; cancelling them would not stop the HTTP request
        boolean interrupted = false;
        for (Future<CompletedPart> f : parts) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (Exception ignored) {
                    break; // its failure is not news
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            client.abortMultipartUpload(b -> b.bucket(config.bucket()).key(objectKey).uploadId(uploadId));
        } catch (RuntimeException e) {
            LOG.warnf("Could not abort multipart upload of '%s' in bucket '%s' (%s); a bucket lifecycle rule "
                    + "for incomplete uploads will remove its parts", objectKey, config.bucket(),
                    S3Errors.map(e, config, "abort").getMessage());
        }
    }

    @Override
    public InputStream get(String key) {
        String objectKey = objectKey(key);
        try {
            return client.getObject(b -> b.bucket(config.bucket()).key(objectKey));
        } catch (RuntimeException e) {
            StorageException se = S3Errors.map(e, config, "read");
            if (se.kind() == StorageException.Kind.NOT_FOUND) {
                throw StorageException.notFound(key);
            }
            throw se;
        }
    }

    /**
     * A GetObject with {@code Range: bytes=a-b}; a range starting at or after the end (416
     * InvalidRange) is an empty stream, and length 0 asks only whether the object exists (HeadObject).
     */
    @Override
    public InputStream get(String key, long offset, long length) {
        BackupStorage.checkRange(offset, length);
        String objectKey = objectKey(key);
        try {
            if (length == 0) {
                client.headObject(b -> b.bucket(config.bucket()).key(objectKey));
                return InputStream.nullInputStream();
            }
            ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(config.bucket()).key(objectKey)
                    .range(BackupStorage.httpRange(offset, length)));
            if (in.response().contentRange() == null && offset > 0) {
                // a server that ignored the Range header sent the whole object
                try {
                    BackupStorage.skipUpTo(in, offset);
                } catch (java.io.IOException e) {
                    in.abort();
                    throw new StorageException(StorageException.Kind.TRANSIENT,
                            "The connection to the storage service failed while skipping to offset " + offset + ".", e);
                }
            }
            return new BoundedInputStream(in, length);
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return InputStream.nullInputStream();
            }
            throw readFailure(e, key);
        } catch (RuntimeException e) {
            throw readFailure(e, key);
        }
    }

    private StorageException readFailure(RuntimeException e, String key) {
        StorageException se = S3Errors.map(e, config, "read");
        return se.kind() == StorageException.Kind.NOT_FOUND ? StorageException.notFound(key) : se;
    }

    @Override
    public List<StoredObject> list(String prefix) {
        String pre = Keys.checkPrefix(prefix);
        String base = config.pathPrefix().isEmpty() ? "" : config.pathPrefix() + "/";
        List<StoredObject> out = new ArrayList<>();
        try {
            for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(config.bucket()).prefix(base + pre)).contents()) {
                String key = o.key().substring(base.length());
                if (!key.isEmpty() && !key.endsWith("/")) {
                    out.add(new StoredObject(key, o.size(), o.lastModified()));
                }
            }
        } catch (RuntimeException e) {
            throw S3Errors.map(e, config, "list objects");
        }
        return out;
    }

    @Override
    public void delete(String key) {
        String objectKey = objectKey(key);
        try {
            client.deleteObject(b -> b.bucket(config.bucket()).key(objectKey));
        } catch (RuntimeException e) {
            StorageException se = S3Errors.map(e, config, "delete");
            if (se.kind() != StorageException.Kind.NOT_FOUND) {
                throw se;
            }
        }
    }

    @Override
    public int deletePrefix(String prefix) {
        List<StoredObject> objects = list(prefix);
        int deleted = 0;
        for (int i = 0; i < objects.size(); i += 1000) {
            List<StoredObject> batch = objects.subList(i, Math.min(objects.size(), i + 1000));
            deleted += deleteBatch(batch);
        }
        abortInterruptedUploads(prefix);
        return deleted;
    }

    /**
     * Multipart uploads a crash left unfinished under the prefix: not objects, but stored (and
     * billed) parts; aborted with the prefix.
     */
    private void abortInterruptedUploads(String prefix) {
        String objectPrefix = (config.pathPrefix().isEmpty() ? "" : config.pathPrefix() + "/") + Keys.checkPrefix(prefix);
        try {
            client.listMultipartUploadsPaginator(b -> b.bucket(config.bucket()).prefix(objectPrefix))
                    .uploads()
                    .forEach(u -> client.abortMultipartUpload(b -> b.bucket(config.bucket()).key(u.key())
                            .uploadId(u.uploadId())));
        } catch (S3Exception e) {
            if (e.statusCode() != 501) {
                throw S3Errors.map(e, config, "delete");
            }
            // a store without multipart listing: nothing we can see to abort
        } catch (RuntimeException e) {
            throw S3Errors.map(e, config, "delete");
        }
    }

    private int deleteBatch(List<StoredObject> batch) {
        List<ObjectIdentifier> ids = batch.stream()
                .map(o -> ObjectIdentifier.builder().key(objectKey(o.key())).build()).toList();
        try {
            DeleteObjectsResponse r = client.deleteObjects(b -> b.bucket(config.bucket())
                    .delete(Delete.builder().objects(ids).quiet(true).build()));
            if (r.hasErrors() && !r.errors().isEmpty()) {
                var err = r.errors().get(0);
                throw new StorageException("AccessDenied".equals(err.code()) ? StorageException.Kind.PERMISSION
                        : StorageException.Kind.TRANSIENT,
                        r.errors().size() + " objects could not be deleted (" + err.code() + ").");
            }
            return batch.size();
        } catch (S3Exception e) {
            if (e.statusCode() == 400 || e.statusCode() == 501) {
                // some S3-compatible servers lack multi-object delete: one by one
                batch.forEach(o -> delete(o.key()));
                return batch.size();
            }
            throw S3Errors.map(e, config, "delete");
        } catch (StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw S3Errors.map(e, config, "delete");
        }
    }

    @Override
    public ProbeResult probe() {
        return Probe.run(this, Map::of);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, false, true, 5L * 1024 * 1024 * 1024 * 1024);
    }

    @Override
    public DestinationType type() {
        return type;
    }

    /** The SDK client, for tests and tools that need S3-specific calls (e.g. listing pending uploads). */
    public S3Client client() {
        return client;
    }

    public S3Config config() {
        return config;
    }

    @Override
    public void close() {
        uploads.shutdownNow();
        client.close();
    }
}
