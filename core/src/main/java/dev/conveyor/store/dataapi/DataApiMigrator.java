package dev.conveyor.store.dataapi;

import dev.conveyor.store.Migrations;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rdsdata.RdsDataClient;
import software.amazon.awssdk.services.rdsdata.model.ExecuteStatementResponse;
import software.amazon.awssdk.services.rdsdata.model.Field;

/**
 * Applies {@link Migrations} through the RDS Data API: one transaction ({@code BeginTransaction} ...
 * {@code CommitTransaction}), one statement per call, as the API runs them.
 */
public final class DataApiMigrator {
    private DataApiMigrator() {
    }

    /** Migrates the database and returns the files applied now; on any failure the transaction is rolled back. */
    public static List<String> migrate(RdsDataClient client, String clusterArn, String secretArn, String database) {
        String tx;
        try {
            tx = client.beginTransaction(b -> b.resourceArn(clusterArn).secretArn(secretArn).database(database))
                    .transactionId();
        } catch (SdkException e) {
            throw DataApiErrors.translate(e);
        }
        try {
            List<String> applied = Migrations.apply(new Migrations.Transaction() {
                @Override
                public void execute(String sql) {
                    run(sql);
                }

                @Override
                public Set<Integer> integers(String sql) {
                    Set<Integer> values = new HashSet<>();
                    for (List<Field> record : run(sql).records()) {
                        values.add(Math.toIntExact(record.get(0).longValue()));
                    }
                    return values;
                }

                private ExecuteStatementResponse run(String sql) {
                    try {
                        return client.executeStatement(b -> b.resourceArn(clusterArn).secretArn(secretArn)
                                .database(database).transactionId(tx).sql(sql));
                    } catch (SdkException e) {
                        throw DataApiErrors.translate(e);
                    }
                }
            });
            client.commitTransaction(b -> b.resourceArn(clusterArn).secretArn(secretArn).transactionId(tx));
            return applied;
        } catch (RuntimeException e) {
            try {
                client.rollbackTransaction(b -> b.resourceArn(clusterArn).secretArn(secretArn).transactionId(tx));
            } catch (SdkException rollback) {
                e.addSuppressed(rollback); // the API ends an abandoned transaction itself after 3 minutes
            }
            throw e instanceof SdkException sdk ? DataApiErrors.translate(sdk) : e;
        }
    }
}
