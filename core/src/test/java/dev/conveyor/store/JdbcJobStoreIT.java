package dev.conveyor.store;

import dev.conveyor.testing.TestDatabase;

/** The store contract over JDBC on a real PostgreSQL. */
class JdbcJobStoreIT extends JobStoreContract {
    @Override
    protected JobStore newStore() {
        return TestDatabase.create().store(8);
    }
}
