package dev.conveyor.store.sql;

/**
 * What a PostgreSQL SQLSTATE says about the database, the same for every transport: some classes mean it could
 * not do the work right now (retry later, a 503), every other one means a statement is wrong (a bug).
 */
public final class SqlStates {
    private SqlStates() {
    }

    /**
     * Connection exceptions (08), operator intervention such as a shutdown or a cancelled statement (57),
     * insufficient resources (53), a transaction rolled back by a serialization failure or deadlock (40), an
     * object in use or a lock not available (55).
     */
    public static boolean unavailable(String state) {
        return state.startsWith("08") || state.startsWith("57") || state.startsWith("53") || state.startsWith("40")
                || state.startsWith("55");
    }
}
