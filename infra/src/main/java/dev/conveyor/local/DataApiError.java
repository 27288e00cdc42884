package dev.conveyor.local;

import java.sql.SQLException;

/**
 * An error the local Data API answers as AWS does: the error type in {@code x-amzn-ErrorType}, the HTTP status the
 * service model gives that type, and a JSON body with its {@code message}, which the SDK turns into the modeled
 * exception ({@code BadRequestException}, {@code DatabaseErrorException}, ...).
 */
final class DataApiError extends RuntimeException {
    private final String type;
    private final int status;

    private DataApiError(String type, int status, String message) {
        super(message);
        this.type = type;
        this.status = status;
    }

    String type() {
        return type;
    }

    int status() {
        return status;
    }

    /** A request the API refuses before the database sees it: a missing field, a malformed value. */
    static DataApiError badRequest(String message) {
        return new DataApiError("BadRequestException", 400, message);
    }

    static DataApiError transactionNotFound(String id, String reason) {
        return new DataApiError("TransactionNotFoundException", 404, "Transaction " + id + " is not found"
                + (reason == null ? "" : ": " + reason));
    }

    static DataApiError endpointNotEnabled(String resourceArn) {
        return new DataApiError("HttpEndpointNotEnabledException", 400,
                "HttpEndpoint is not enabled for resource " + resourceArn);
    }

    static DataApiError secretNotFound(String secretArn) {
        return new DataApiError("SecretsErrorException", 400,
                "Secrets Manager can't find the specified secret: " + secretArn);
    }

    static DataApiError unknownOperation(String path) {
        return new DataApiError("UnknownOperationException", 404, "No operation at " + path);
    }

    static DataApiError malformedRequest(String message) {
        return new DataApiError("SerializationException", 400, message);
    }

    static DataApiError serviceUnavailable(String message) {
        return new DataApiError("ServiceUnavailableError", 503, message);
    }

    /**
     * What PostgreSQL said, as the Data API passes it on: its message followed by {@code ; SQLState: XXXXX}. A lost
     * or refused connection is {@code DatabaseUnavailableException} (504), a cancelled statement
     * {@code StatementTimeoutException}, anything else {@code DatabaseErrorException}.
     */
    static DataApiError of(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() + (state.isEmpty() ? "" : "; SQLState: " + state);
        if (state.isEmpty() || state.startsWith("08") || state.startsWith("57P")) {
            return new DataApiError("DatabaseUnavailableException", 504, "The database is unavailable: " + message);
        }
        if (state.equals("57014")) {
            return new DataApiError("StatementTimeoutException", 400, message);
        }
        return new DataApiError("DatabaseErrorException", 400, message);
    }
}
