package io.ocore.backups.platform.jobs;

/**
 * The job's row is no longer held by this lease (another node took it over, or it finished): the
 * job stops at once and writes nothing more, neither an outcome nor events nor any cleanup. An
 * Error, like {@link JobRunner.SimulatedCrash}, so that no {@code catch (Exception)} on the way
 * records a failure.
 */
public class LeaseLostException extends Error {

    public LeaseLostException(Lease lease) {
        super("lease lost: " + lease.id() + " is no longer held by " + lease.owner() + " at generation "
                + lease.generation(), null, false, false);
    }
}
