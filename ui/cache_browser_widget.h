// CacheBrowserWidget: the Cache browser tab (RedisInsight's browser for the tiered
// cache). Pick a namespace and tier, filter keys by glob, page through entries (key,
// size, age, TTL left, hits), preview a value (image, JSON, text or hex) without counting
// a read, invalidate the selected keys, everything matching the filter, or everything
// (after confirmation), with auto-refresh while the tab is visible; and a memory analysis — namespaces and key prefixes by bytes,
// the largest entries, the spread of TTL left.
//
// Ownership: a QWidget owned by its Qt parent; owns its worker thread and stops it in
// its destructor; borrows the Engine (or owns the backend it is given). Thread safety:
// GUI thread only.
#pragma once

#include <QCheckBox>
#include <QComboBox>
#include <QTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QThread>
#include <QTreeWidget>
#include <QWidget>
#include <functional>

#include "cache_browser_model.h"
#include "cache_browser_worker.h"

namespace tierscope {
class Engine;
}

namespace tierscope::ui {

class CacheBrowserWidget : public QWidget {
  Q_OBJECT

 public:
  explicit CacheBrowserWidget(Engine& engine, QWidget* parent = nullptr);
  // Over any backend (a server's, say); takes ownership and runs it on the widget's thread.
  // The namespaces appear when the backend has described them.
  explicit CacheBrowserWidget(CacheBrowserBackend* backend, QWidget* parent = nullptr);
  ~CacheBrowserWidget() override;

  static constexpr int kPageSize = 100;

  // Asks for the page at `offset` with the current namespace, tier and filter.
  void refresh(quint64 offset = 0);
  void nextPage();
  void previousPage();
  // Destructive actions ask this first (a dialog by default; tests answer themselves).
  void setConfirmer(std::function<bool(const QString&)> confirm) { confirm_ = std::move(confirm); }
  void invalidateSelected();
  void invalidateMatching();
  void clearEverything();
  void analyze();

  CacheBrowserModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QComboBox* namespaceBox() const { return namespace_; }
  QComboBox* tierBox() const { return tier_; }
  QLineEdit* filterEdit() const { return filter_; }
  QLabel* pageLabel() const { return page_label_; }
  QLabel* previewInfo() const { return preview_info_; }
  QPlainTextEdit* previewText() const { return preview_text_; }
  QLabel* previewImage() const { return preview_image_; }
  QStackedWidget* previewStack() const { return preview_stack_; }
  QTreeWidget* analysisTree() const { return analysis_; }
  // Re-reads the page (and the analysis) every few seconds while the tab is visible.
  QCheckBox* autoRefreshBox() const { return auto_refresh_; }
  QLabel* statusLabel() const { return status_; }
  // Answers received (pages, previews, analyses), for tests waiting on the worker.
  int answers() const { return answers_; }
  // How the last preview was shown: "image", "json", "text", "hex", "none".
  QString previewKind() const { return preview_kind_; }

 Q_SIGNALS:
  void requestQuery(quint64 request, const QString& ns, int tier, const QString& pattern, quint64 offset, quint64 limit);
  void requestInspect(const QString& ns, int tier, const QString& key);
  void requestInvalidateKeys(const QString& ns, const QStringList& keys);
  void requestInvalidatePattern(const QString& ns, const QString& pattern);
  void requestClearAll();
  void requestAnalysis(int top);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void onPage(const BrowserPage& page);
  void onPreview(const BrowserPreview& preview);
  void onAnalysis(const MemoryAnalysis& analysis);
  QString pattern() const;

  QThread thread_;
  void setNamespaces(const QStringList& names, const QString& current, bool has_l2);

  CacheBrowserBackend* worker_;
  CacheBrowserModel* model_;
  std::function<bool(const QString&)> confirm_;
  quint64 request_ = 0;
  int answers_ = 0;
  bool shown_once_ = false;
  QString preview_kind_ = QStringLiteral("none");

  QComboBox* namespace_;
  QComboBox* tier_;
  QLineEdit* filter_;
  QPushButton *refresh_, *previous_, *next_, *invalidate_selected_, *invalidate_matching_, *clear_all_, *analyze_;
  QLabel* page_label_;
  QTableView* table_;
  QLabel* preview_info_;
  QStackedWidget* preview_stack_;
  QLabel* preview_image_;
  QPlainTextEdit* preview_text_;
  QTreeWidget* analysis_;
  QLabel* status_;
  QCheckBox* auto_refresh_;
  QTimer* auto_timer_;
};

}  // namespace tierscope::ui
