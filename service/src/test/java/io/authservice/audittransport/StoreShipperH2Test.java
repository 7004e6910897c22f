package io.authservice.audittransport;

import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;

/**
 * The {@code direct} shipper into H2, as the embedded default runs it. (H2 takes every event the
 * store hands it, strings cut to their columns; what PostgreSQL refuses is tested on PostgreSQL.)
 */
class StoreShipperH2Test extends StoreShipperContract {
    @Override
    protected TestDatabases.Db newDatabase() {
        return TestDatabases.newH2(TestApps.tempDir());
    }
}
