// CacheBrowserWorker: the cache browser's door to the engine, on its own thread so that
// scanning a large tier never delays the dashboard's samples or the GUI. Answers pages of
// entries (the engine's paged query, never a copy of the cache), quiet previews of one
// value, invalidations and the memory analysis, each as a value over a queued signal.
//
// Ownership: borrows the Engine (must outlive the worker's thread). Thread safety: call
// its slots through queued connections; its signals come from the worker thread.
#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include "tierscope/cache/entry_info.h"

namespace tierscope {
class Engine;
}

namespace tierscope::ui {

struct BrowserRow {
  QString key;
  quint64 bytes = 0;
  double age_seconds = 0;
  double ttl_left_seconds = -1;  // -1: never expires
  quint64 hits = 0;
};

struct BrowserPage {
  quint64 request = 0;  // echoes the query's number, so a late answer can be dropped
  QString ns;
  int tier = 0;  // 0 = L1, 1 = L2
  QString pattern;
  quint64 offset = 0;
  quint64 total = 0;
  QList<BrowserRow> rows;
};

struct BrowserPreview {
  QString ns;
  int tier = 0;
  QString key;
  bool found = false;
  QByteArray head;          // the value's first bytes (up to kPreviewBytes)
  quint64 value_bytes = 0;  // its whole size
  BrowserRow info;
  static constexpr qsizetype kPreviewBytes = 4 << 20;
};

class CacheBrowserWorker : public QObject {
  Q_OBJECT

 public:
  explicit CacheBrowserWorker(Engine& engine, QObject* parent = nullptr);

 public Q_SLOTS:
  void query(quint64 request, const QString& ns, int tier, const QString& pattern, quint64 offset, quint64 limit);
  void inspect(const QString& ns, int tier, const QString& key);
  void invalidateKeys(const QString& ns, const QStringList& keys);
  // `ns` empty: every namespace.
  void invalidatePattern(const QString& ns, const QString& pattern);
  void clearAll();
  void analyze(int top);

 Q_SIGNALS:
  void pageReady(const tierscope::ui::BrowserPage& page);
  void previewReady(const tierscope::ui::BrowserPreview& preview);
  void invalidated(const QString& message);
  void analysisReady(const tierscope::MemoryAnalysis& analysis);
  void failed(const QString& message);

 private:
  Engine& engine_;
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::BrowserPage)
Q_DECLARE_METATYPE(tierscope::ui::BrowserPreview)
Q_DECLARE_METATYPE(tierscope::MemoryAnalysis)
