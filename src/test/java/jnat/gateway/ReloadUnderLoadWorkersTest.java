package jnat.gateway;

/**
 * {@link ReloadUnderLoadTest} with {@code jnat gateway --workers 2}: the nat table restored through
 * the control socket while the stream flows, the lock taken between two packets of both workers.
 */
class ReloadUnderLoadWorkersTest extends ReloadUnderLoadTest {
    @Override
    String labName() {
        return "jrlq";
    }

    @Override
    int workers() {
        return 2;
    }
}
