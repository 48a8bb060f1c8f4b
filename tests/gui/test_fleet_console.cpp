// The console's fleet view over two real servers (in-process Engine + ApiService +
// HttpServer each) that share a real redis-server: a row per instance with its rate, tier
// shares and Redis state, aggregates over the fleet, a dashboard tab per instance, a
// fleet-wide invalidation from the GUI that reaches the other server through Redis, and
// an instance that is down reported as such.
#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

#include <atomic>
#include <thread>

#include "dashboard_widget.h"
#include "fleet_table_model.h"
#include "fleet_widget.h"
#include "remote_window.h"
#include "support/live_api_server.h"
#include "support/redis_server.h"
#include "tierscope/redis/redis_tier.h"

using namespace tierscope;
using namespace std::chrono_literals;
using tierscope::ui::FleetAggregate;
using tierscope::ui::FleetTableModel;
using tierscope::ui::RemoteWindow;

namespace {

const QString kKey = "fleet-console-test-key-0123";

std::shared_ptr<redis::RedisTier> redis_tier(const testing::RedisServer& redis) {
  redis::RedisTierOptions r;
  r.endpoint = redis.endpoint();
  r.info_refresh_interval = 200ms;
  return std::make_shared<redis::RedisTier>(r);
}

EngineOptions engine_sharing(std::shared_ptr<redis::RedisTier> tier) {
  EngineOptions o;
  o.cache.shared = std::move(tier);
  return o;
}

// Steady reads of 300 keys in `general`.
struct Traffic : testing::EngineTraffic {
  explicit Traffic(Engine& engine) : EngineTraffic(engine, 300, std::chrono::microseconds(300)) {}
};

}  // namespace

class FleetConsoleTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void fleetRowsAggregatesAndInvalidation() {
    TIERSCOPE_REQUIRE_REDIS();
    testing::RedisServer redis;
    QVERIFY(redis.start());
    auto tier_a = redis_tier(redis);
    auto tier_b = redis_tier(redis);
    Engine a(engine_sharing(tier_a));
    Engine b(engine_sharing(tier_b));
    testing::LiveApiServer server_a(a, kKey);
    testing::LiveApiServer server_b(b, kKey);
    QTRY_VERIFY_WITH_TIMEOUT(tier_a->listening() && tier_b->listening(), 5000);
    Traffic traffic_a(a);
    Traffic traffic_b(b);

    RemoteWindow window(QList<QUrl>{server_a.url(), server_b.url()}, kKey);
    window.show();
    QVERIFY(window.fleet());
    QCOMPARE(window.instanceCount(), 2);
    QCOMPARE(window.tabs()->count(), 3);  // Fleet + one dashboard per instance
    FleetTableModel* model = window.fleetModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model->rowCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(model->instance(0).has_sample && model->instance(1).has_sample &&
                                 model->instance(0).requests_per_second > 100 && model->instance(1).requests_per_second > 100,
                             20'000);
    for (int row = 0; row < 2; ++row) {
      const auto& r = model->instance(row);
      QVERIFY(r.connected);
      QVERIFY(r.redis_enabled);
      QVERIFY(r.redis_available);
      QCOMPARE(r.redis_breaker, QString("closed"));
      QCOMPARE(model->data(model->index(row, FleetTableModel::kRedisState)).toString(), QString("available"));
      QVERIFY(std::abs(r.l1 + r.l2 + r.redis + r.origin + r.failed - 1.0) < 1e-6);
    }
    const FleetAggregate fleet = model->aggregate();
    QCOMPARE(fleet.connected, 2);
    QVERIFY(fleet.share_one_redis);
    QVERIFY(std::abs(fleet.requests_per_second -
                     (model->instance(0).requests_per_second + model->instance(1).requests_per_second)) < 1e-6);
    QVERIFY(window.connectionLabel()->text().contains("2 of 2"));
    QTRY_VERIFY_WITH_TIMEOUT(window.fleet()->requestsSeries()->count() >= 2, 5000);
    QVERIFY(window.fleet()->summaryLabel()->text().contains("2 of 2 instances up"));
    // Both servers hold key-1 in L1; one invalidation from the GUI clears it on both:
    // sent to one server, the shared Redis broadcasts it to the other.
    auto in_l1 = [](Engine& e, const std::string& key) {
      return e.cache().inspect("general", key, CacheTier::kL1).has_value();
    };
    traffic_a.stop.store(true);
    traffic_b.stop.store(true);
    QTRY_VERIFY_WITH_TIMEOUT(in_l1(a, "key-1") && in_l1(b, "key-1"), 5000);
    window.fleet()->namespaceEdit()->setText("general");
    window.fleet()->patternEdit()->setText("key-1*");
    QVERIFY(window.fleet()->invalidateButton()->isEnabled());
    QTest::mouseClick(window.fleet()->invalidateButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window.lastInvalidation().isEmpty(), 10'000);
    QVERIFY2(window.lastInvalidation().contains("Redis broadcasts"), qPrintable(window.lastInvalidation()));
    QTRY_VERIFY_WITH_TIMEOUT(!in_l1(a, "key-1") && !in_l1(b, "key-1"), 5000);
    QVERIFY(!in_l1(b, "key-10"));
    QVERIFY(in_l1(b, "key-2"));  // not matching: kept
    // Double-clicking an instance opens its dashboard, which charts that server.
    Q_EMIT window.fleet()->instanceActivated(1);
    QCOMPARE(window.tabs()->currentIndex(), 2);
    QVERIFY(window.dashboard(1)->samplesReceived() >= 1);
    QVERIFY(window.dashboard(1)->lastSample()->redis_enabled);
  }

  void downInstanceIsReportedAndLeftOutOfTheAggregate() {
    Engine a(EngineOptions{});
    testing::LiveApiServer server_a(a, kKey);
    Traffic traffic(a);
    RemoteWindow window(QList<QUrl>{server_a.url(), QUrl("http://127.0.0.1:1")}, kKey);
    FleetTableModel* model = window.fleetModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY_WITH_TIMEOUT(model->instance(0).has_sample && model->instance(0).requests_per_second > 0, 20'000);
    QTRY_VERIFY_WITH_TIMEOUT(!model->instance(1).detail.contains("connecting"), 20'000);
    QVERIFY(!model->instance(1).connected);
    QVERIFY(!model->data(model->index(1, FleetTableModel::kStatus)).toString().isEmpty());
    const FleetAggregate fleet = model->aggregate();
    QCOMPARE(fleet.instances, 2);
    QCOMPARE(fleet.connected, 1);
    QCOMPARE(fleet.redis_enabled, 0);
    QVERIFY(!fleet.share_one_redis);
    QVERIFY(std::abs(fleet.requests_per_second - model->instance(0).requests_per_second) < 1e-6);
    QCOMPARE(model->data(model->index(0, FleetTableModel::kRedisState)).toString(), QString("none"));
    // Without a shared Redis the invalidation goes to each connected instance itself.
    window.invalidateEverywhere("general", "key-*");
    QTRY_VERIFY_WITH_TIMEOUT(!window.lastInvalidation().isEmpty(), 10'000);
    QVERIFY2(window.lastInvalidation().contains("each instance"), qPrintable(window.lastInvalidation()));
  }
};

QTEST_MAIN(FleetConsoleTest)
#include "test_fleet_console.moc"
