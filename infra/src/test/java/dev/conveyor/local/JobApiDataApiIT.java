package dev.conveyor.local;

/** {@link JobApiIT} with the functions on the RDS Data API store. */
@OnStore("dataapi")
class JobApiDataApiIT extends JobApiIT {
}
