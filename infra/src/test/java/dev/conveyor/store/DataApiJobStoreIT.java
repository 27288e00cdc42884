package dev.conveyor.store;

import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.local.LocalDataApi;
import dev.conveyor.store.dataapi.DataApiJobStore;
import dev.conveyor.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The store contract over the RDS Data API: the SDK's client, wired as a function wires it, talking to the local
 * endpoint in front of a real PostgreSQL. It lives in infra, beside the endpoint.
 */
class DataApiJobStoreIT extends JobStoreContract {
    private LocalDataApi api;

    @Override
    protected JobStore newStore() {
        TestDatabase db = TestDatabase.create();
        api = LocalDataApi.start(0, db.serverUrl(), TestDatabase.properties(), db.name());
        return new DataApiJobStore(client(api.endpoint()), LocalDataApi.CLUSTER_ARN, LocalDataApi.SECRET_ARN,
                db.name());
    }

    static software.amazon.awssdk.services.rdsdata.RdsDataClient client(String endpoint) {
        return Wiring.rdsData(new Config(Map.of(
                "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "local",
                "AWS_SECRET_ACCESS_KEY", "local",
                "AWS_ENDPOINT_URL_RDS_DATA", endpoint)::get));
    }

    @AfterEach
    void stopEndpoint() {
        api.close();
    }
}
