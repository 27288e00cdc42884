package dev.conveyor.store.dataapi;

import dev.conveyor.store.StoreException;
import dev.conveyor.store.sql.SqlStates;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rdsdata.model.BadRequestException;
import software.amazon.awssdk.services.rdsdata.model.DatabaseErrorException;
import software.amazon.awssdk.services.rdsdata.model.DatabaseNotFoundException;
import software.amazon.awssdk.services.rdsdata.model.DatabaseResumingException;
import software.amazon.awssdk.services.rdsdata.model.DatabaseUnavailableException;
import software.amazon.awssdk.services.rdsdata.model.InternalServerErrorException;
import software.amazon.awssdk.services.rdsdata.model.ServiceUnavailableErrorException;
import software.amazon.awssdk.services.rdsdata.model.StatementTimeoutException;

/**
 * The Data API's errors, split as {@code ConnectionPool} splits JDBC's: what says the database cannot do the work
 * right now is a {@link StoreException} (a 503, a message retried later), anything else is a bug or a wrong
 * configuration, an {@link IllegalStateException}.
 */
final class DataApiErrors {
    /** PostgreSQL's error as the Data API passes it on: {@code ERROR: ... ; SQLState: 23505}. */
    private static final Pattern SQL_STATE = Pattern.compile("SQLState: ?([0-9A-Z]{5})");

    private DataApiErrors() {
    }

    static RuntimeException translate(SdkException e) {
        String message = "Data API: " + e.getMessage();
        if (e instanceof DatabaseErrorException || e instanceof BadRequestException) {
            String state = sqlState(e);
            if (state != null && SqlStates.unavailable(state)) {
                return new StoreException(message, e);
            }
            return new IllegalStateException(message, e); // a statement PostgreSQL refused, or the API did
        }
        if (e instanceof ServiceUnavailableErrorException || e instanceof StatementTimeoutException
                || e instanceof DatabaseUnavailableException || e instanceof DatabaseResumingException
                || e instanceof DatabaseNotFoundException || e instanceof InternalServerErrorException) {
            return new StoreException(message, e);
        }
        if (e instanceof AwsServiceException service
                && (service.isThrottlingException() || service.statusCode() >= 500)) {
            return new StoreException(message, e);
        }
        if (e instanceof SdkClientException) {
            return new StoreException(message, e); // no answer: the network, a timeout, an interrupted call
        }
        return new IllegalStateException(message, e); // forbidden, a bad secret, no such cluster: configuration
    }

    /** The SQLSTATE in an error's message, or null when the API refused the call before PostgreSQL saw it. */
    static String sqlState(SdkException e) {
        String text = e instanceof AwsServiceException service && service.awsErrorDetails() != null
                ? service.awsErrorDetails().errorMessage() : e.getMessage();
        Matcher m = SQL_STATE.matcher(text == null ? "" : text);
        return m.find() ? m.group(1) : null;
    }
}
