#include "cache_browser_worker.h"

#include "tierscope/engine.h"

namespace tierscope::ui {

namespace {

BrowserRow row_of(const EntryInfo& e, TimePoint now) {
  BrowserRow r;
  r.key = QString::fromStdString(e.key);
  r.bytes = e.bytes;
  r.age_seconds = e.created == TimePoint{} ? -1 : std::chrono::duration<double>(now - e.created).count();
  r.ttl_left_seconds = e.expires == kNever ? -1 : std::max(0.0, std::chrono::duration<double>(e.expires - now).count());
  r.hits = e.hits;
  return r;
}

CacheTier tier_of(int tier) { return tier == 1 ? CacheTier::kL2 : CacheTier::kL1; }

}  // namespace

CacheBrowserWorker::CacheBrowserWorker(Engine& engine, QObject* parent) : CacheBrowserBackend(parent), engine_(engine) {}

void CacheBrowserWorker::describe() {
  QStringList names;
  for (const std::string& name : engine_.cache().namespace_names()) names << QString::fromStdString(name);
  Q_EMIT described(names, QString::fromStdString(engine_.demo_namespace()), engine_.cache().has_l2());
}

void CacheBrowserWorker::query(quint64 request, const QString& ns, int tier, const QString& pattern, quint64 offset,
                               quint64 limit) {
  try {
    const EntryPage page = engine_.cache().list_entries(
        ns.toStdString(), tier_of(tier), {pattern.isEmpty() ? "*" : pattern.toStdString(), offset, limit});
    BrowserPage out{request, ns, tier, pattern, offset, page.total_matching, {}};
    const TimePoint now = SystemClock().now();
    out.rows.reserve(qsizetype(page.entries.size()));
    for (const EntryInfo& e : page.entries) out.rows.append(row_of(e, now));
    Q_EMIT pageReady(out);
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(e.what()));
  }
}

void CacheBrowserWorker::inspect(const QString& ns, int tier, const QString& key) {
  BrowserPreview p;
  p.ns = ns;
  p.tier = tier;
  p.key = key;
  try {
    if (auto found = engine_.cache().inspect(ns.toStdString(), key.toStdString(), tier_of(tier))) {
      p.found = true;
      const std::string& v = *found->first;
      p.value_bytes = v.size();
      p.head = QByteArray(v.data(), qsizetype(std::min<size_t>(v.size(), BrowserPreview::kPreviewBytes)));
      p.info = row_of(found->second, SystemClock().now());
    }
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(e.what()));
    return;
  }
  Q_EMIT previewReady(p);
}

void CacheBrowserWorker::invalidateKeys(const QString& ns, const QStringList& keys) {
  int removed = 0;
  try {
    for (const QString& k : keys) removed += engine_.cache().invalidate(ns.toStdString(), k.toStdString()) ? 1 : 0;
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(e.what()));
    return;
  }
  Q_EMIT invalidated(tr("Invalidated %n key(s) in %1", nullptr, removed).arg(ns));
}

void CacheBrowserWorker::invalidatePattern(const QString& ns, const QString& pattern) {
  try {
    const size_t n = engine_.cache().invalidate_matching(pattern.toStdString(), ns.toStdString());
    Q_EMIT invalidated(tr("Invalidated %1 entries matching '%2' in %3")
                           .arg(n)
                           .arg(pattern, ns.isEmpty() ? tr("every namespace") : ns));
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(e.what()));
  }
}

void CacheBrowserWorker::clearAll() {
  engine_.cache().clear();
  Q_EMIT invalidated(tr("Every tier of every namespace cleared"));
}

void CacheBrowserWorker::analyze(int top) { Q_EMIT analysisReady(engine_.cache().analyze_memory(size_t(std::max(1, top)))); }

}  // namespace tierscope::ui
