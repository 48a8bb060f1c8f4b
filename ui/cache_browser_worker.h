// CacheBrowserWorker: the cache browser's door to the embedded engine, on its own thread so that
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
  double age_seconds = 0;        // -1: unknown (an entry without a TTL keeps no creation time); shown as —
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

// What the cache browser asks of a cache: the embedded engine (CacheBrowserWorker) or a
// tierscope-server (RemoteCacheBrowserWorker). Answers come back as signals.
class CacheBrowserBackend : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;

 public Q_SLOTS:
  // Announces the namespaces, the one to show first and whether there is an L2.
  virtual void describe() = 0;
  virtual void query(quint64 request, const QString& ns, int tier, const QString& pattern, quint64 offset,
                     quint64 limit) = 0;
  virtual void inspect(const QString& ns, int tier, const QString& key) = 0;
  virtual void invalidateKeys(const QString& ns, const QStringList& keys) = 0;
  // `ns` empty: every namespace.
  virtual void invalidatePattern(const QString& ns, const QString& pattern) = 0;
  virtual void clearAll() = 0;
  virtual void analyze(int top) = 0;

 Q_SIGNALS:
  void described(const QStringList& namespaces, const QString& current, bool has_l2);
  void pageReady(const tierscope::ui::BrowserPage& page);
  void previewReady(const tierscope::ui::BrowserPreview& preview);
  void invalidated(const QString& message);
  void analysisReady(const tierscope::MemoryAnalysis& analysis);
  void failed(const QString& message);
};

class CacheBrowserWorker : public CacheBrowserBackend {
  Q_OBJECT

 public:
  explicit CacheBrowserWorker(Engine& engine, QObject* parent = nullptr);

  void describe() override;
  void query(quint64 request, const QString& ns, int tier, const QString& pattern, quint64 offset,
             quint64 limit) override;
  void inspect(const QString& ns, int tier, const QString& key) override;
  void invalidateKeys(const QString& ns, const QStringList& keys) override;
  void invalidatePattern(const QString& ns, const QString& pattern) override;
  void clearAll() override;
  void analyze(int top) override;

 private:
  Engine& engine_;
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::BrowserPage)
Q_DECLARE_METATYPE(tierscope::ui::BrowserPreview)
Q_DECLARE_METATYPE(tierscope::MemoryAnalysis)
