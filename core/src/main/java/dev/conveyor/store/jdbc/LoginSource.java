package dev.conveyor.store.jdbc;

/**
 * Where a pool's database user and password come from, read again when the database refuses them: a password
 * rotated in its secret reaches a running function at its next connection, not at its next deployment.
 */
public interface LoginSource {

    /** A user and password; never printed. */
    record Login(String user, String password) {
        @Override
        public String toString() {
            return "Login[user=" + user + ", password=***]";
        }
    }

    /** The login to connect with now. */
    Login login();

    /**
     * Reads the login again from its source, after the database refused the current one.
     *
     * @return whether it changed (so that connecting again may succeed)
     */
    default boolean reread() {
        return false;
    }

    /** A login given once, as the local runtime and tests give it. */
    static LoginSource fixed(String user, String password) {
        Login login = new Login(user, password);
        return () -> login;
    }
}
