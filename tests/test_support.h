// Helpers shared by the tests: where ../shared is, and skipping cleanly without it.
#pragma once

#include <QString>
#include <QtGlobal>
#include <filesystem>

namespace tierscope::testing {

// ../shared beside the checkout, or $TIERSCOPE_SHARED_DIR when set.
inline std::filesystem::path sharedDir() {
  const QByteArray env = qgetenv("TIERSCOPE_SHARED_DIR");
  if (!env.isEmpty()) return std::filesystem::path(env.toStdString());
  return std::filesystem::path(TIERSCOPE_SHARED_DIR);
}

}  // namespace tierscope::testing

// Skips the current Qt test with a clear message when a ../shared file is absent.
#define TIERSCOPE_REQUIRE_SHARED_FILE(path)                                                               \
  do {                                                                                                    \
    if (!std::filesystem::exists(path)) {                                                                 \
      QSKIP(qPrintable(QStringLiteral("shared test data not found: %1 (set TIERSCOPE_SHARED_DIR or put ../shared beside the checkout)") \
                           .arg(QString::fromStdString((path).string()))));                               \
    }                                                                                                     \
  } while (0)
