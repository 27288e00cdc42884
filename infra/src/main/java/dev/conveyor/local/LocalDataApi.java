package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.json.Json;
import dev.conveyor.local.LocalHttpServer.Answer;
import dev.conveyor.local.LocalHttpServer.Exchange;
import dev.conveyor.local.template.Stack;
import dev.conveyor.log.Log;
import dev.conveyor.store.StoreException;
import dev.conveyor.store.jdbc.ConnectionPool;
import dev.conveyor.store.jdbc.LoginSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The RDS Data API on {@code http://127.0.0.1:<port>}, backed by a PostgreSQL server over JDBC: the REST-JSON
 * protocol the AWS SDK's {@code RdsDataClient} speaks ({@code POST /Execute}, {@code /BatchExecute},
 * {@code /BeginTransaction}, {@code /CommitTransaction}, {@code /RollbackTransaction}), with AWS's error types and
 * statuses. It serves one cluster and one secret ({@link #CLUSTER_ARN}, {@link #SECRET_ARN}) and any database of
 * the server. How statements are bound and results returned: {@link DataApiStatement}, {@link DataApiResults}.
 * Not emulated: request signing, IAM and Secrets Manager (the ARNs are compared, never resolved), the schema
 * parameter, the deprecated {@code ExecuteSql}.
 */
public final class LocalDataApi implements AutoCloseable {
    private static final Log LOG = Log.of(LocalDataApi.class);
    public static final String CLUSTER_ARN =
            "arn:aws:rds:" + Stack.REGION + ":" + Stack.ACCOUNT + ":cluster:conveyor-local";
    public static final String SECRET_ARN =
            "arn:aws:secretsmanager:" + Stack.REGION + ":" + Stack.ACCOUNT + ":secret:conveyor-local-db-AbCdEf";
    /** How long a statement may run before the call answers {@code StatementTimeoutException}, as on AWS. */
    static final int STATEMENT_TIMEOUT_SECONDS = 45;
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    private static final int POOL_SIZE = 20;
    /** Requests answered at once; more wait for a thread (AWS's Data API has no such bound to copy). */
    private static final int THREADS = 64;
    /** A bound on what one request may hold in memory, far above anything the Data API store sends. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    private volatile LocalHttpServer server;
    private final String serverUrl;
    private final Properties properties;
    private final String defaultDatabase;
    private final Map<String, ConnectionPool> pools = new ConcurrentHashMap<>();
    private final DataApiTransactions transactions = new DataApiTransactions();

    private LocalDataApi(String serverUrl, Properties properties, String defaultDatabase) {
        this.serverUrl = serverUrl;
        this.properties = properties;
        this.defaultDatabase = defaultDatabase;
    }

    /**
     * Starts the endpoint.
     *
     * @param port the port on 127.0.0.1, 0 for a free one
     * @param serverUrl the PostgreSQL server, {@code jdbc:postgresql://host:port/}, to which a database name is added
     * @param properties user, password and driver settings for its connections (but no socket timeout)
     * @param defaultDatabase the database of a request that names none
     */
    public static LocalDataApi start(int port, String serverUrl, Properties properties, String defaultDatabase) {
        // A statement ends at its query timeout (45 s) or, with continueAfterTimeout, when it ends: a driver
        // socket timeout (30 s in Conveyor's settings) would cut it first, as a lost connection.
        Properties connectionProperties = new Properties();
        connectionProperties.putAll(properties);
        connectionProperties.setProperty("socketTimeout", "0");
        LocalDataApi api = new LocalDataApi(serverUrl, connectionProperties, defaultDatabase);
        api.server = LocalHttpServer.start("data-api", port, THREADS, MAX_REQUEST_BYTES, api::handle);
        return api;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    private Answer handle(Exchange exchange) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-RequestId", UUID.randomUUID().toString());
        try {
            if (exchange.body() == null) {
                throw DataApiError.badRequest("The request is larger than " + MAX_REQUEST_BYTES + " bytes");
            }
            return send(headers, 200, answer(exchange.method(), exchange.path(), exchange.body()));
        } catch (DataApiError e) {
            headers.put("x-amzn-ErrorType", e.type());
            return send(headers, e.status(), Json.object().put("message", e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("the local Data API failed", e);
            headers.put("x-amzn-ErrorType", "InternalServerErrorException");
            return send(headers, 500, Json.object().put("message", "An internal error occurred: " + e));
        }
    }

    private ObjectNode answer(String method, String path, byte[] body) {
        if (!method.equals("POST")) {
            throw DataApiError.unknownOperation(method + " " + path);
        }
        JsonNode request;
        try {
            request = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw DataApiError.malformedRequest("The request body is not JSON: " + e.getMessage());
        }
        if (request == null || !request.isObject()) {
            throw DataApiError.malformedRequest("The request body is not a JSON object");
        }
        checkResource(request);
        return switch (path) {
            case "/Execute" -> execute(request);
            case "/BatchExecute" -> batchExecute(request);
            case "/BeginTransaction" -> begin(request);
            case "/CommitTransaction" -> {
                transactions.commit(required(request, "transactionId"));
                yield Json.object().put("transactionStatus", "Transaction Committed");
            }
            case "/RollbackTransaction" -> {
                transactions.rollback(required(request, "transactionId"));
                yield Json.object().put("transactionStatus", "Rollback Complete");
            }
            default -> throw DataApiError.unknownOperation(path);
        };
    }

    /** The cluster and the secret every call names: AWS answers 400 when one is missing or unknown. */
    private static void checkResource(JsonNode request) {
        String resource = required(request, "resourceArn");
        String secret = required(request, "secretArn");
        if (!resource.equals(CLUSTER_ARN)) {
            throw resource.startsWith("arn:") ? DataApiError.endpointNotEnabled(resource)
                    : DataApiError.badRequest("Invalid resourceArn: " + resource);
        }
        if (!secret.equals(SECRET_ARN)) {
            throw DataApiError.secretNotFound(secret);
        }
    }

    private ObjectNode execute(JsonNode request) {
        DataApiStatement statement = DataApiStatement.of(required(request, "sql"), request.get("parameters"));
        boolean metadata = request.path("includeResultMetadata").asBoolean(false);
        String format = request.path("formatRecordsAs").asText("NONE");
        if (!format.equals("NONE") && !format.equals("JSON")) {
            throw DataApiError.badRequest("formatRecordsAs must be NONE or JSON, not " + format);
        }
        DataApiResults.Options options = DataApiResults.Options.of(request.path("resultSetOptions"));
        boolean timeout = !request.path("continueAfterTimeout").asBoolean(false);
        DataApiTransactions.Work<ObjectNode> work = connection -> {
            try (PreparedStatement prepared = statement.prepare(connection)) {
                if (timeout) {
                    prepared.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
                }
                ObjectNode response = Json.object();
                if (prepared.execute()) {
                    response.put("numberOfRecordsUpdated", 0);
                    try (ResultSet rs = prepared.getResultSet()) {
                        DataApiResults.write(rs, response, metadata, format.equals("JSON"), options);
                    }
                } else {
                    response.put("numberOfRecordsUpdated", prepared.getUpdateCount());
                }
                return response;
            }
        };
        String transaction = request.path("transactionId").asText("");
        return transaction.isEmpty() ? pooled(database(request), work) : transactions.in(transaction, work);
    }

    /** One statement over several parameter sets, all or nothing. */
    private ObjectNode batchExecute(JsonNode request) {
        String sql = required(request, "sql");
        List<DataApiStatement> statements = new ArrayList<>();
        for (JsonNode set : request.path("parameterSets")) {
            statements.add(DataApiStatement.of(sql, set));
        }
        if (statements.isEmpty()) {
            statements.add(DataApiStatement.of(sql, null));
        }
        ObjectNode response = Json.object();
        ArrayNode results = response.putArray("updateResults");
        DataApiTransactions.Work<ObjectNode> work = connection -> {
            for (DataApiStatement statement : statements) {
                try (PreparedStatement prepared = statement.prepare(connection)) {
                    prepared.executeUpdate();
                }
                results.addObject().putArray("generatedFields");
            }
            return response;
        };
        String transaction = request.path("transactionId").asText("");
        if (!transaction.isEmpty()) {
            return transactions.in(transaction, work);
        }
        return pooled(database(request), connection -> {
            connection.setAutoCommit(false);
            try {
                ObjectNode done = work.run(connection);
                connection.commit();
                return done;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        });
    }

    private ObjectNode begin(JsonNode request) {
        String database = database(request);
        try {
            Connection connection = DriverManager.getConnection(serverUrl + database, properties);
            return Json.object().put("transactionId", transactions.begin(connection));
        } catch (SQLException e) {
            throw DataApiError.of(e);
        }
    }

    /** Runs {@code work} on a pooled connection in auto-commit mode. */
    private <T> T pooled(String database, DataApiTransactions.Work<T> work) {
        ConnectionPool pool = pools.computeIfAbsent(database,
                name -> new ConnectionPool(serverUrl + name, properties,
                        LoginSource.fixed(properties.getProperty("user"), properties.getProperty("password")),
                        POOL_SIZE, 10_000));
        try {
            return pool.with(work::run);
        } catch (StoreException | IllegalStateException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw DataApiError.of(sql);
            }
            if (e instanceof StoreException) {
                throw DataApiError.serviceUnavailable(e.getMessage());
            }
            throw e;
        }
    }

    private String database(JsonNode request) {
        String database = request.path("database").asText("");
        if (database.isEmpty()) {
            return defaultDatabase;
        }
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw DataApiError.badRequest("Invalid database name: " + database);
        }
        return database;
    }

    private static String required(JsonNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw DataApiError.badRequest(field + " is required");
        }
        return value.textValue();
    }

    private static Answer send(Map<String, String> headers, int status, ObjectNode body) {
        headers.put("Content-Type", "application/json");
        return Answer.of(status, headers, Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(Duration.ZERO);
        transactions.close();
        pools.values().forEach(ConnectionPool::close);
    }
}
