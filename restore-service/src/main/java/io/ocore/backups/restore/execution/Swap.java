package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.security.confinement.ConfinementException;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement.Area;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.SQLException;

/**
 * The swap and its undo (docs/adr/0009-restore-swap.md). The new database and filestore are
 * complete before the swap starts; the swap is renames only: target -> old, new -> target, for the
 * database, then the filestore, then (for {@code new}) the config. Undo puts the old ones back and
 * drops the new ones; it is idempotent, so recovery after a crash can run it whatever the point
 * the swap reached. Each of them first checks every path it may rename or delete against the
 * operator's roots (on the real path), and touches nothing when one left them.
 */
final class Swap {

    private Swap() {
    }

    /** The points of the swap, in order (docs/adr/0009-restore-swap.md): a fault can be injected at each. */
    static final String OLD_DATABASE_ASIDE = "swap.old_database_aside";
    /** The database is in place (the historical fault point {@code swap}, between database and filestore). */
    static final String DATABASE_IN_PLACE = "swap";
    static final String OLD_FILESTORE_ASIDE = "swap.old_filestore_aside";
    static final String FILESTORE_IN_PLACE = "swap.filestore_in_place";
    static final String CONFIG_IN_PLACE = "swap.config_in_place";

    /** Called at each point of the swap once it is reached (the fault injector in tests). */
    @FunctionalInterface
    interface Points {
        void reached(String point) throws IOException;
    }

    /**
     * Swaps the database, then the filestore, then the config (for {@code new}), each rename made
     * durable (its directory fsynced) before the next; {@code points} is told after each step.
     */
    static void swap(TargetServer server, Work w, EnvironmentConfinement confinement, Points points)
            throws SQLException, IOException {
        checkPaths(w, confinement);
        if (!w.createsTarget() && server.exists(w.targetDb())) {
            server.rename(w.targetDb(), w.oldDb());
            points.reached(OLD_DATABASE_ASIDE);
        }
        server.rename(w.tempDb(), w.targetDb());
        points.reached(DATABASE_IN_PLACE);
        if (w.tempFilestore() != null && Files.isDirectory(Path.of(w.tempFilestore()))) {
            Path fs = Path.of(w.filestore());
            if (!w.createsTarget() && Files.exists(fs, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(fs, Path.of(w.oldFilestore()), StandardCopyOption.ATOMIC_MOVE);
                Fsync.parentOf(fs);
                points.reached(OLD_FILESTORE_ASIDE);
            }
            Files.move(Path.of(w.tempFilestore()), fs, StandardCopyOption.ATOMIC_MOVE);
            Fsync.parentOf(fs);
            points.reached(FILESTORE_IN_PLACE);
        }
        if (w.configPath() != null && Files.exists(tempConfig(w))) {
            Files.move(tempConfig(w), Path.of(w.configPath()), StandardCopyOption.ATOMIC_MOVE);
            Fsync.parentOf(Path.of(w.configPath()));
            points.reached(CONFIG_IN_PLACE);
        }
    }

    /**
     * Leaves the target as it was before the restore: undoes whatever part of the swap happened
     * (only when {@code swapping}) and removes the fresh database, directory and config.
     */
    static void undo(TargetServer server, Work w, boolean swapping, EnvironmentConfinement confinement)
            throws SQLException, IOException {
        checkPaths(w, confinement);
        // database
        if (swapping) {
            if (w.createsTarget()) {
                server.drop(w.targetDb());
            } else if (server.exists(w.oldDb())) {
                if (server.exists(w.targetDb())) {
                    server.drop(w.tempDb());
                    server.rename(w.targetDb(), w.tempDb());
                }
                server.rename(w.oldDb(), w.targetDb());
            }
        }
        server.drop(w.tempDb());
        // filestore
        if (w.tempFilestore() != null) {
            Path fs = Path.of(w.filestore());
            Path temp = Path.of(w.tempFilestore());
            if (swapping) {
                if (w.createsTarget()) {
                    deleteTree(fs);
                } else if (Files.exists(Path.of(w.oldFilestore()), LinkOption.NOFOLLOW_LINKS)) {
                    if (Files.exists(fs, LinkOption.NOFOLLOW_LINKS)) {
                        deleteTree(temp);
                        Files.move(fs, temp, StandardCopyOption.ATOMIC_MOVE);
                    }
                    Files.move(Path.of(w.oldFilestore()), fs, StandardCopyOption.ATOMIC_MOVE);
                    Fsync.parentOf(fs);
                }
            }
            deleteTree(temp);
        }
        // config (new only)
        if (w.configPath() != null) {
            Files.deleteIfExists(tempConfig(w));
            if (swapping && w.createsTarget()) {
                Files.deleteIfExists(Path.of(w.configPath()));
            }
        }
    }

    /** After a completed swap: drops the old database and filestore. */
    static void dropOld(TargetServer server, Work w, EnvironmentConfinement confinement)
            throws SQLException, IOException {
        checkPaths(w, confinement);
        if (!w.createsTarget()) {
            server.drop(w.oldDb());
            if (w.oldFilestore() != null) {
                deleteTree(Path.of(w.oldFilestore()));
            }
        }
    }

    /** Every filestore and config path of {@code w} still inside the operator's roots, else the plain reason. */
    static void checkPaths(Work w, EnvironmentConfinement confinement) throws ConfinementException {
        for (String fs : new String[] {w.filestore(), w.tempFilestore(), w.oldFilestore()}) {
            if (fs != null) {
                confinement.confine(Area.FILESTORE, Path.of(fs));
            }
        }
        if (w.configPath() != null) {
            confinement.confine(Area.CONFIG, Path.of(w.configPath()));
            confinement.confine(Area.CONFIG, tempConfig(w));
        }
    }

    static Path tempConfig(Work w) {
        return Path.of(w.configPath() + ".restore-tmp");
    }

    /** Deletes a directory tree without following links (a link is removed, never its target). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(dir);
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
        Log.debugf("Removed %s", dir);
    }
}
